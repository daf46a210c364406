// Runs the git CLI (no network library): every call has a timeout and is killed when it expires;
// credentials travel through GIT_ASKPASS/SSH_ASKPASS and environment variables, never argv, so
// they do not show in `ps`, error messages or .git/config.
import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface GitAuth {
  https?: { username?: string; password?: string };
  ssh?: { user?: string; privateKeyFile?: string; password?: string };
}

export class GitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GitError";
  }
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** A git runner bound to one checkout's auth and timeout. */
export class GitCli {
  private readonly env: NodeJS.ProcessEnv;
  private readonly secrets: string[];
  private askpassDir: string | undefined;

  constructor(
    private readonly timeoutMs: number,
    auth: GitAuth,
  ) {
    this.secrets = [auth.https?.password, auth.ssh?.password].filter((s): s is string => !!s);
    // Never wait for a terminal prompt: a missing credential must fail, not hang.
    const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" };
    const needAskpass = !!(auth.https?.username || auth.https?.password || auth.ssh?.password);
    if (needAskpass) {
      this.askpassDir = mkdtempSync(join(tmpdir(), "verdict-askpass-"));
      const script = join(this.askpassDir, "askpass.sh");
      // git asks "Username for ..." then "Password for ..."; ssh asks for the key passphrase.
      writeFileSync(
        script,
        '#!/bin/sh\ncase "$1" in\n  Username*) printf "%s\\n" "$VERDICT_GIT_USERNAME" ;;\n  *) printf "%s\\n" "$VERDICT_GIT_SECRET" ;;\nesac\n',
      );
      chmodSync(script, 0o700);
      env.GIT_ASKPASS = script;
      env.VERDICT_GIT_USERNAME = auth.https?.username ?? "";
      env.VERDICT_GIT_SECRET = auth.https?.password ?? auth.ssh?.password ?? "";
      if (auth.ssh?.password) {
        env.SSH_ASKPASS = script;
        env.SSH_ASKPASS_REQUIRE = "force";
      }
    }
    if (auth.ssh?.privateKeyFile || auth.ssh?.user) {
      const parts = ["ssh"];
      if (auth.ssh.privateKeyFile) parts.push("-i", shellQuote(auth.ssh.privateKeyFile), "-o", "IdentitiesOnly=yes");
      if (auth.ssh.user) parts.push("-l", shellQuote(auth.ssh.user));
      // BatchMode would also refuse the askpass passphrase; use it only when there is none.
      if (!auth.ssh.password) parts.push("-o", "BatchMode=yes");
      env.GIT_SSH_COMMAND = parts.join(" ");
    }
    this.env = env;
  }

  run(args: string[], cwd?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        "git",
        args,
        { cwd, env: this.env, timeout: this.timeoutMs, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024, encoding: "utf8" },
        (err, stdout, stderr) => {
          if (!err) return resolve(stdout);
          const e = err as NodeJS.ErrnoException & { killed?: boolean };
          const why = e.killed ? `timed out after ${this.timeoutMs} ms` : (stderr || e.message).trim().split("\n").slice(-3).join(" | ");
          reject(new GitError(this.redact(`git ${args[0]} failed: ${why}`)));
        },
      );
    });
  }

  dispose(): void {
    if (this.askpassDir) rmSync(this.askpassDir, { recursive: true, force: true });
    this.askpassDir = undefined;
  }

  private redact(s: string): string {
    for (const secret of this.secrets) s = s.split(secret).join("***");
    return s;
  }
}

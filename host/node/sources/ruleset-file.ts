// A compiled ruleset file (`verdict serve --ruleset FILE`): loaded once, never reloaded.
import { readFileSync } from "node:fs";
import { contentId } from "./compile-dir.ts";
import type { Candidate, PolicySource } from "./types.ts";

export class RulesetFileSource implements PolicySource {
  readonly description: string;
  constructor(private readonly path: string) {
    this.description = `file ${path}`;
  }
  async initial(): Promise<Candidate> {
    try {
      const ruleset = new Uint8Array(readFileSync(this.path));
      return { source: this.description, revision: contentId(ruleset), ruleset };
    } catch (e) {
      return { source: this.description, revision: "unreadable", error: (e as Error).message };
    }
  }
  start(): void {}
  async stop(): Promise<void> {}
}

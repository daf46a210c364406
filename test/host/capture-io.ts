// An in-memory Io for running the CLI's main() in-process in tests.
import type { Io } from "../../cli/args.ts";

export function captureIo(stdin = ""): Io & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    stdout: (s: string) => void (io.out += s),
    stderr: (s: string) => void (io.err += s),
    readStdin: async () => stdin,
  };
  return io;
}

// Human-readable names for the evaluator's Status codes, for error messages.
import { Status } from "../../spec/format.ts";

export function statusName(code: number): string {
  const name = (Status as unknown as Record<number, string>)[code];
  return name ? `${name} (${code})` : `unknown status ${code}`;
}

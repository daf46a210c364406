// Bundled by the parity test into the page: the browser host and its full decoder on window.
import { Verdict } from "../../host/browser/index.ts";
import { checkInputs } from "../../host/browser/full.ts";

(globalThis as Record<string, unknown>).verdictTest = { Verdict, checkInputs };

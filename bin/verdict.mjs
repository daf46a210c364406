#!/usr/bin/env node
// The `verdict` command: runs the bundled CLI built by scripts/build.mjs.
import { main } from "../dist/cli.mjs";
process.exitCode = await main(process.argv.slice(2));

// Decision audit log, Node half: file (JSON lines, rotation) and batched HTTP sinks.
export { FileSink, type FileSinkOptions } from "./file-sink.ts";
export { HttpSink, type HttpSinkOptions } from "./http-sink.ts";

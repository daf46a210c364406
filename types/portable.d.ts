// AssemblyScript's number types, so spec/format.ts type-checks as plain TypeScript too.
declare type i32 = number;
declare type u32 = number;
declare type u16 = number;
declare type u8 = number;
declare type f64 = number;

// The host imports (module "verdict", docs/format.md "Host imports"): number text and time-zone
// offsets, which every JavaScript runtime does natively and exactly (V8's shortest digits and
// correctly rounded parsing, ICU's tz database), instead of ~3 KB of bignums and tables here.
// Hosts never throw into these: bad input comes back as NaN.

/** Decimal digits of finite x ≥ 0 at out (mode: spec DIGITS_*); returns (point << 8) | count. */
// @ts-ignore: decorator
@external("verdict", "digits")
export declare function hostDigits(x: f64, mode: i32, out: usize): i32;

/** The number in the decimal text at p (syntax already checked here), correctly rounded. */
// @ts-ignore: decorator
@external("verdict", "parse")
export declare function hostParse(p: usize, n: u32): f64;

/** UTC offset in seconds of the instant `secs` in the IANA zone named at p; NaN when unknown. */
// @ts-ignore: decorator
@external("verdict", "zone")
export declare function hostZone(p: usize, n: u32, secs: f64): f64;

// Per-check evaluation context shared by the decision procedure (decide.ts, which writes it) and
// the CEL VM (vm.ts, which reads it). Everything here is reset or overwritten for each resource.

/** Engine configuration block (CF_* layout in spec/format.ts), set by `configure`. 0 = defaults. */
export let configPtr: usize = 0;
export function setConfig(p: usize): void { configPtr = p; }

/** Current REQUEST block, principal block and resource block (absolute addresses). */
export let requestPtr: usize = 0;
export let principalPtr: usize = 0;
export let resourcePtr: usize = 0;
export function setRequest(req: usize, principal: usize, resource: usize): void {
  requestPtr = req; principalPtr = principal; resourcePtr = resource;
}

/** runtime.effectiveDerivedRoles for the policy being evaluated: a LIST cell pointer, or 0 when
 *  the derived roles could not be computed (strict mode) — reading runtime is then an error. */
export let runtimeEdrCell: usize = 0;
export function setRuntimeEdr(cell: usize): void { runtimeEdrCell = cell; }

/** Variable slots: varValues is an array of VARS-count cells; a slot whose tag is Tag.ABSENT is
 *  unset. The decision procedure fills slots when it evaluates a PARAMS run; LOAD_VAR reads them. */
export let varValues: usize = 0;
export function setVarValues(p: usize): void { varValues = p; }

/** Set when an expression of the current `check` call read the clock (now(), timeSince()):
 *  policy tests must supply `now` for such checks, as Cerbos's test runner requires. */
export let nowRead: bool = false;
export function setNowRead(v: bool): void { nowRead = v; }

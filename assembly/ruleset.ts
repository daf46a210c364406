// Absolute addresses and counts of the loaded ruleset's sections. Written only by loader.ts after
// a ruleset passed validation; read by the VM and the decision procedure.

export let rsBase: usize = 0;
export let rsLength: u32 = 0;

export let stringCount: u32 = 0;
export let stringIndex: usize = 0; // count × (offset u32, length u32)
export let stringBlob: usize = 0;

export let constCount: u32 = 0;
export let constCells: usize = 0; // relocated cells (absolute pointers)

export let codeBase: usize = 0;
export let codeLength: u32 = 0;

export let exprCount: u32 = 0;
export let exprRecords: usize = 0;

export let varCount: u32 = 0;
export let varRecords: usize = 0;

export let paramsCount: u32 = 0;
export let paramsRecords: usize = 0;

export let condCount: u32 = 0;
export let condRecords: usize = 0;
export let condChildCount: u32 = 0;
export let condChildren: usize = 0;

export let rowCount: u32 = 0;
export let rowRecords: usize = 0;

export let droleCount: u32 = 0;
export let droleRecords: usize = 0;

export let listCount: u32 = 0;
export let listWords: usize = 0;

export let scopeCount: u32 = 0;
export let scopeRecords: usize = 0;

export let proleCount: u32 = 0;
export let proleRecords: usize = 0;

export let evalKeyCount: u32 = 0; // 1 + the largest RW_EVAL_KEY

export let globCount: u32 = 0;
export let globRecords: usize = 0; // count × (pattern sid, relocated REGEX cell index), by sid

export function setSections(
  base: usize, length: u32,
  sCount: u32, sIndex: usize, sBlob: usize,
  cCount: u32, cCells: usize,
  code: usize, codeLen: u32,
  eCount: u32, eRecs: usize,
  vCount: u32, vRecs: usize,
  pCount: u32, pRecs: usize,
  coCount: u32, coRecs: usize, chCount: u32, chWords: usize,
  rCount: u32, rRecs: usize,
  dCount: u32, dRecs: usize,
  lCount: u32, lWords: usize,
  scCount: u32, scRecs: usize,
  prCount: u32, prRecs: usize,
  evKeys: u32,
  gCount: u32, gRecs: usize,
): void {
  rsBase = base; rsLength = length;
  stringCount = sCount; stringIndex = sIndex; stringBlob = sBlob;
  constCount = cCount; constCells = cCells;
  codeBase = code; codeLength = codeLen;
  exprCount = eCount; exprRecords = eRecs;
  varCount = vCount; varRecords = vRecs;
  paramsCount = pCount; paramsRecords = pRecs;
  condCount = coCount; condRecords = coRecs; condChildCount = chCount; condChildren = chWords;
  rowCount = rCount; rowRecords = rRecs;
  droleCount = dCount; droleRecords = dRecs;
  listCount = lCount; listWords = lWords;
  scopeCount = scCount; scopeRecords = scRecs;
  proleCount = prCount; proleRecords = prRecs;
  evalKeyCount = evKeys;
  globCount = gCount; globRecords = gRecs;
}

/** Open-addressing sid lookup table over STRINGS (u32 slots, NONE = empty), built by the loader
 *  so the decision procedure can find sids of computed strings (sanitised kinds, scope parents). */
export let stringHash: usize = 0;
export let stringHashMask: u32 = 0;
export function setStringHash(table: usize, mask: u32): void { stringHash = table; stringHashMask = mask; }

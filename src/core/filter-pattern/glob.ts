/**
 * Wildcard matching for JSON and space-delimited string values: `*` matches any run of characters
 * (possibly empty), anywhere in the value; every other character matches itself, case-sensitively.
 * (An older AWS page said a `*` in the middle, as in `Ev*ent`, is literal; current behaviour treats
 * it as a wildcard. We follow the latter and the sandbox/TestMetricFilter confirmation can tell.)
 */

const cache = new Map<string, readonly string[]>();

function parts(glob: string): readonly string[] {
  let p = cache.get(glob);
  if (!p) {
    p = glob.split('*');
    if (cache.size > 2000) cache.clear();
    cache.set(glob, p);
  }
  return p;
}

export function globMatches(glob: string, text: string): boolean {
  const ps = parts(glob);
  if (ps.length === 1) return glob === text;
  const first = ps[0] as string;
  const last = ps[ps.length - 1] as string;
  if (text.length < first.length + last.length) return false;
  if (!text.startsWith(first) || !text.endsWith(last)) return false;
  // Greedy leftmost placement of the middle parts between the fixed prefix and suffix is optimal.
  let at = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < ps.length - 1; i++) {
    const part = ps[i] as string;
    if (part === '') continue;
    const found = text.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/** A glob made only of `*` matches any string (and, in JSON patterns, any non-null scalar). */
export function isMatchAll(glob: string): boolean {
  return glob.length > 0 && /^\*+$/.test(glob);
}

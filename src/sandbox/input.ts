/**
 * Typed reads of an operation's input members, the same for JSON bodies (real numbers, booleans, arrays)
 * and decoded query forms (everything a string; `Member=` is an empty list). Each service supplies how a
 * bad or missing member is reported, because each names that error differently.
 */
import type { ApiError } from './api-error';

export type Fail = (member: string, problem: 'missing' | 'type' | string) => ApiError;

export class Input {
  constructor(
    readonly raw: Record<string, unknown>,
    private readonly fail: Fail,
  ) {}

  has(member: string): boolean {
    return this.raw[member] !== undefined && this.raw[member] !== null;
  }

  str(member: string): string | undefined {
    const v = this.raw[member];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw this.fail(member, 'type');
    return v;
  }

  reqStr(member: string): string {
    const v = this.str(member);
    if (v === undefined || v === '') throw this.fail(member, 'missing');
    return v;
  }

  num(member: string): number | undefined {
    const v = this.raw[member];
    if (v === undefined || v === null) return undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
    if (!Number.isFinite(n)) throw this.fail(member, 'type');
    return n;
  }

  reqNum(member: string): number {
    const v = this.num(member);
    if (v === undefined) throw this.fail(member, 'missing');
    return v;
  }

  bool(member: string): boolean | undefined {
    const v = this.raw[member];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return v;
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw this.fail(member, 'type');
  }

  /** A list member; `''` (the query protocol's empty list) is []. */
  list(member: string): unknown[] | undefined {
    const v = this.raw[member];
    if (v === undefined || v === null) return undefined;
    if (v === '') return [];
    if (!Array.isArray(v)) throw this.fail(member, 'type');
    return v;
  }

  strList(member: string): string[] | undefined {
    const v = this.list(member);
    if (v === undefined) return undefined;
    if (!v.every((x) => typeof x === 'string')) throw this.fail(member, 'type');
    return v as string[];
  }

  /** A list of structures, each read through its own Input. */
  structs(member: string): Input[] | undefined {
    const v = this.list(member);
    if (v === undefined) return undefined;
    return v.map((x) => {
      if (!x || typeof x !== 'object' || Array.isArray(x)) throw this.fail(member, 'type');
      return new Input(x as Record<string, unknown>, this.fail);
    });
  }

  /** A map member of string values. */
  strMap(member: string): Record<string, string> | undefined {
    const v = this.raw[member];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) throw this.fail(member, 'type');
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) {
      if (typeof x !== 'string') throw this.fail(member, 'type');
      out[k] = x;
    }
    return out;
  }
}

/**
 * The typed AST of a CloudWatch Logs filter pattern. Three pattern families share nothing but the
 * top-level union: JSON patterns (`{ ... }`), term patterns (words, phrases, `?` / `-`, `%regex%`)
 * and space-delimited patterns (`[a, b = ..., ...]`). Parsing normalises what has no meaning
 * (spacing, quoting of plain words, redundant parentheses, nesting of the same operator), so two
 * patterns that differ only in form have deep-equal ASTs.
 */

/** One step of a JSON selector: a property name (`.name`) or an array index (`[3]`). */
export type SelectorStep = string | number;

/** A string value; `*` anywhere is a wildcard (any run of characters, possibly empty). */
export interface StringValue {
  readonly type: 'string';
  readonly text: string;
}
/** A numeric literal (sign, decimals, exponent allowed); compared numerically. */
export interface NumberValue {
  readonly type: 'number';
  readonly value: number;
}
/** A `%regex%` value in the documented subset (see regex.ts); search semantics (unanchored). */
export interface RegexValue {
  readonly type: 'regex';
  readonly source: string;
}
export type Value = StringValue | NumberValue | RegexValue;

export type EqualityOp = '=' | '!=';
export type RelationalOp = '<' | '>' | '<=' | '>=';
export type ComparisonOp = EqualityOp | RelationalOp;

export type JsonCondition =
  | {
      readonly kind: 'compare';
      readonly selector: readonly SelectorStep[];
      readonly op: EqualityOp;
      readonly value: StringValue | RegexValue | NumberValue;
    }
  | {
      readonly kind: 'compare';
      readonly selector: readonly SelectorStep[];
      readonly op: RelationalOp;
      readonly value: NumberValue;
    }
  | {
      readonly kind: 'is';
      readonly selector: readonly SelectorStep[];
      readonly test: 'NULL' | 'TRUE' | 'FALSE';
    }
  | { readonly kind: 'notExists'; readonly selector: readonly SelectorStep[] };

/** `and` / `or` nodes always have at least two items and never a direct child of the same kind. */
export type JsonExpr =
  | { readonly kind: 'or'; readonly items: readonly JsonExpr[] }
  | { readonly kind: 'and'; readonly items: readonly JsonExpr[] }
  | JsonCondition;

export interface JsonPattern {
  readonly kind: 'json';
  readonly expr: JsonExpr;
}

/** A term: a phrase that must occur as a substring of the line, or a regex that must be found. */
export type TermMatch = { readonly type: 'phrase'; readonly text: string } | RegexValue;

/** `all`: plain term (must occur); `any`: `?term` (at least one of them); `none`: `-term` (must not occur). */
export interface Term {
  readonly mode: 'all' | 'any' | 'none';
  readonly match: TermMatch;
}

/** Term pattern; no terms at all (the empty pattern) matches every event. */
export interface TermPattern {
  readonly kind: 'terms';
  readonly terms: readonly Term[];
}

export interface SpaceCondition {
  readonly kind: 'compare';
  readonly name: string;
  readonly op: ComparisonOp;
  readonly value: Value;
}
export type SpaceExpr =
  | { readonly kind: 'or'; readonly items: readonly SpaceExpr[] }
  | { readonly kind: 'and'; readonly items: readonly SpaceExpr[] }
  | SpaceCondition;

/** A slot of a space-delimited pattern: `...` (any number of fields) or a field (name '' when anonymous). */
export type SpaceField =
  | { readonly kind: 'ellipsis' }
  | { readonly kind: 'field'; readonly name: string; readonly condition: SpaceExpr | null };

export interface SpacePattern {
  readonly kind: 'space';
  readonly fields: readonly SpaceField[];
}

export type Pattern = JsonPattern | TermPattern | SpacePattern;

/** The IaC formats a plan is written in (kept apart from the writers, so naming them loads no YAML library). */
export const IAC_FORMATS = ['terraform', 'cloudformation', 'cloudformation-json'] as const;
export type IacFormat = (typeof IAC_FORMATS)[number];

export function isIacFormat(value: unknown): value is IacFormat {
  return (IAC_FORMATS as readonly unknown[]).includes(value);
}

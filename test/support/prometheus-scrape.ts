/**
 * Scrapes a `/metrics` endpoint over HTTP and parses it with parse-prometheus-text-format into samples:
 * one per series (name, labels, value). That parser folds a histogram's samples into one unlabelled bucket
 * map (prom2json's shape for an unlabelled histogram), losing the labels cis-bot's histograms carry, so its
 * histogram families are handed to it as untyped: each `_bucket`, `_sum` and `_count` series comes back
 * with its labels.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  status: number;
  contentType: string | null;
  text: string;
  samples: Sample[];
  /** Families by name with their declared type (COUNTER, GAUGE, HISTOGRAM...). */
  types: Map<string, string>;
}

export function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const types = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm))
    types.set(m[1] as string, (m[2] as string).toUpperCase());
  const untypedHistograms = text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped');
  const samples: Sample[] = [];
  for (const family of parsePrometheusTextFormat(untypedHistograms)) {
    for (const m of family.metrics) {
      samples.push({ name: family.name, labels: m.labels ?? {}, value: Number(m.value) });
    }
  }
  return { samples, types };
}

export async function scrape(url: string): Promise<Scrape> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), text, ...parseExposition(text) };
}

/** The samples named `name` whose labels include `labels`. */
export function samplesOf(
  s: { samples: Sample[] },
  name: string,
  labels: Record<string, string> = {},
): Sample[] {
  return s.samples.filter(
    (x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v),
  );
}

/** The sum of the matching samples' values (0 when there is none). */
export function total(s: { samples: Sample[] }, name: string, labels: Record<string, string> = {}): number {
  return samplesOf(s, name, labels).reduce((sum, x) => sum + x.value, 0);
}

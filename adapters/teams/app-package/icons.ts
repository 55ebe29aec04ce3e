/**
 * The app's icons, drawn in code so they can be regenerated: a white shield with a check mark.
 * Teams wants color.png 192x192 (full colour) and outline.png 32x32 (white on transparent).
 */
import { encodePng } from './png';

export const ACCENT = [0x23, 0x4e, 0x9c] as const; // #234E9C, also the manifest's accentColor

/** Inside the shield, in unit coordinates (0..1): straight sides, then a curve to the bottom point. */
function inShield(u: number, v: number): boolean {
  if (v < 0.12 || v > 0.9) return false;
  const half = v < 0.55 ? 0.34 : 0.34 * Math.sqrt(Math.max(0, (0.9 - v) / 0.35));
  return Math.abs(u - 0.5) <= half;
}

/** Near the check mark's two strokes: (0.34,0.5)-(0.46,0.64) and (0.46,0.64)-(0.68,0.36). */
function onCheck(u: number, v: number, width: number): boolean {
  const near = (ax: number, ay: number, bx: number, by: number) => {
    const t = Math.max(
      0,
      Math.min(1, ((u - ax) * (bx - ax) + (v - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)),
    );
    return Math.hypot(u - (ax + t * (bx - ax)), v - (ay + t * (by - ay))) <= width;
  };
  return near(0.34, 0.5, 0.46, 0.64) || near(0.46, 0.64, 0.68, 0.36);
}

export function colorIcon(size = 192): Buffer {
  return encodePng(size, size, (x, y) => {
    const u = (x + 0.5) / size;
    const v = (y + 0.5) / size;
    if (!inShield(u, v)) return [...ACCENT, 255];
    return onCheck(u, v, 0.045) ? [...ACCENT, 255] : [255, 255, 255, 255];
  });
}

export function outlineIcon(size = 32): Buffer {
  const stroke = 1.5 / size;
  return encodePng(size, size, (x, y) => {
    const u = (x + 0.5) / size;
    const v = (y + 0.5) / size;
    const edge =
      inShield(u, v) &&
      (!inShield(u - stroke, v) ||
        !inShield(u + stroke, v) ||
        !inShield(u, v - stroke) ||
        !inShield(u, v + stroke));
    return edge || (inShield(u, v) && onCheck(u, v, 0.05)) ? [255, 255, 255, 255] : [0, 0, 0, 0];
  });
}

import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

/**
 * Draws the Teams app icons: a white padlock on the accent colour (color.png, 192×192)
 * and a white padlock on transparent (outline.png, 32×32), the sizes and colours that
 * Teams requires of the two icons. Run with `npx tsx manifest/teams/icons.ts`.
 */

export const ACCENT_COLOR = '#2F5597';
export const COLOR_SIZE = 192;
export const OUTLINE_SIZE = 32;

type Rgba = readonly [number, number, number, number];

const WHITE: Rgba = [255, 255, 255, 255];
const TRANSPARENT: Rgba = [0, 0, 0, 0];

/** Returns true where the padlock covers the point (x, y), both in 0..1 of the icon's width. */
function padlockCovers(x: number, y: number, stroke: number): boolean {
  const body = x >= 0.24 && x <= 0.76 && y >= 0.45 && y <= 0.86;
  const keyhole =
    Math.hypot(x - 0.5, y - 0.6) < 0.055 || (Math.abs(x - 0.5) < 0.025 && y >= 0.6 && y <= 0.74);
  if (body) return !keyhole;

  // The shackle: the upper half of a ring, with straight legs down to the body.
  const radius = 0.17;
  const centreY = 0.33;
  const distance = Math.hypot(x - 0.5, y - centreY);
  const onRing = Math.abs(distance - radius) <= stroke / 2;
  const onLegs = y >= centreY && y <= 0.45 && Math.abs(Math.abs(x - 0.5) - radius) <= stroke / 2;
  return (onRing && y <= centreY) || onLegs;
}

function draw(size: number, background: (x: number, y: number) => Rgba, stroke: number): PNG {
  const png = new PNG({ width: size, height: size });
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      const x = (column + 0.5) / size;
      const y = (row + 0.5) / size;
      const colour = padlockCovers(x, y, stroke) ? WHITE : background(x, y);
      png.data.set(colour, (row * size + column) * 4);
    }
  }
  return png;
}

/** Draws the full-colour icon: the padlock on a rounded square of the accent colour. */
export function colorIcon(): PNG {
  const accent = hexToRgba(ACCENT_COLOR);
  const cornerRadius = 0.18;
  const inRoundedSquare = (x: number, y: number) => {
    const dx = Math.max(cornerRadius - x, x - (1 - cornerRadius), 0);
    const dy = Math.max(cornerRadius - y, y - (1 - cornerRadius), 0);
    return Math.hypot(dx, dy) <= cornerRadius;
  };
  return draw(COLOR_SIZE, (x, y) => (inRoundedSquare(x, y) ? accent : TRANSPARENT), 0.07);
}

/** Draws the outline icon: only white and fully transparent pixels, as Teams requires. */
export function outlineIcon(): PNG {
  return draw(OUTLINE_SIZE, () => TRANSPARENT, 0.1);
}

function hexToRgba(hex: string): Rgba {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff, 255];
}

/** Writes color.png and outline.png next to the manifest. */
export function writeIcons(folder: string): void {
  writeFileSync(join(folder, 'color.png'), PNG.sync.write(colorIcon()));
  writeFileSync(join(folder, 'outline.png'), PNG.sync.write(outlineIcon()));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeIcons(dirname(fileURLToPath(import.meta.url)));
}

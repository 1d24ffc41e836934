/**
 * A QR code drawn as SVG in the page from the `qrcode` library's module matrix: the otpauth secret never
 * leaves the terminal (no image service), and no data: URL or inline markup is needed under the CSP.
 */
import { create } from 'qrcode';

/** Renders `text` as a QR code of `size` pixels, with a quiet zone of four modules. */
export function QrCode({ text, size = 220, label }: { text: string; size?: number; label: string }) {
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const n = modules.size;
  let d = '';
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) if (modules.get(row, col)) d += `M${col + 4} ${row + 4}h1v1h-1z`;
  }
  return (
    <svg
      role="img"
      aria-label={label}
      width={size}
      height={size}
      viewBox={`0 0 ${n + 8} ${n + 8}`}
      shapeRendering="crispEdges"
      data-testid="totp-qr"
    >
      <rect width={n + 8} height={n + 8} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}

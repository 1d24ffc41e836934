/** A horizontal bar chart in plain SVG, with the numbers written beside the bars (readable without colour). */
import { useI18n } from '../i18n.js';

export interface Bar {
  label: string;
  value: number;
  tone?: string;
}

export function BarChart({ title, bars, testId }: { title: string; bars: Bar[]; testId?: string }) {
  const { num, t } = useI18n();
  const max = Math.max(1, ...bars.map((b) => b.value));
  const row = 26;
  const labelW = 230;
  const width = 500;
  const h = Math.max(row, bars.length * row) + 8;
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      {bars.length === 0 ? (
        <p className="muted">{t('dashboard.noData')}</p>
      ) : (
        <svg
          viewBox={`0 0 ${width} ${h}`}
          role="img"
          aria-label={`${title}: ${bars.map((b) => `${b.label} ${b.value}`).join(', ')}`}
        >
          {bars.map((b, i) => {
            const w = ((width - labelW - 50) * b.value) / max;
            return (
              <g key={b.label} transform={`translate(0 ${i * row + 4})`}>
                <text x={labelW - 8} y={row / 2 + 4} textAnchor="end" className="bar-label">
                  {b.label.length > 30 ? `${b.label.slice(0, 29)}…` : b.label}
                </text>
                <rect
                  x={labelW}
                  y={3}
                  width={Math.max(w, 1)}
                  height={row - 8}
                  className={`bar ${b.tone ? `bar-${b.tone}` : ''}`}
                  rx="2"
                />
                <text x={labelW + w + 6} y={row / 2 + 4} className="bar-value">
                  {num(b.value)}
                </text>
              </g>
            );
          })}
        </svg>
      )}
    </figure>
  );
}

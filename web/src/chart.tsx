/** A small time-series chart on Chart.js (the library the load-test report uses; loaded by the page as a script). */
import type { ChartConfiguration, Chart as ChartType } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

declare global {
  interface Window {
    Chart?: typeof ChartType;
  }
}

export interface Series {
  label: string;
  values: number[];
  color: string;
  /** Drawn against the right-hand axis (counts of throttles, next to rates). */
  right?: boolean;
}

export function TimeChart(props: { start: number; stepMs: number; series: Series[]; height?: number; yTitle: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<ChartType | undefined>(undefined);
  const labels = (props.series[0]?.values ?? []).map((_, i) =>
    new Date(props.start + i * props.stepMs).toLocaleTimeString('en-GB', { hour12: false }),
  );
  useEffect(() => {
    const Chart = window.Chart;
    if (!Chart || !canvas.current) return;
    const config: ChartConfiguration<'line'> = {
      type: 'line',
      data: {
        labels,
        datasets: props.series.map((s) => ({
          label: s.label,
          data: s.values,
          borderColor: s.color,
          backgroundColor: `${s.color}22`,
          fill: !s.right,
          borderWidth: 1.5,
          pointRadius: 0,
          tension: 0.2,
          yAxisID: s.right ? 'y1' : 'y',
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: 'index', intersect: false },
        plugins: { legend: { position: 'top', align: 'end', labels: { boxWidth: 12 } } },
        scales: {
          x: { ticks: { maxTicksLimit: 8 }, grid: { display: false } },
          y: { beginAtZero: true, title: { display: true, text: props.yTitle }, ticks: { precision: 0 } },
          y1: {
            beginAtZero: true,
            position: 'right',
            display: props.series.some((s) => s.right),
            grid: { display: false },
            title: { display: true, text: 'throttled / s' },
            ticks: { precision: 0 },
          },
        },
      },
    };
    if (!chart.current) chart.current = new Chart(canvas.current, config);
    else {
      chart.current.data = config.data;
      chart.current.update('none');
    }
  });
  useEffect(() => () => chart.current?.destroy(), []);
  if (!window.Chart) return <p class="muted">Chart library not loaded.</p>;
  return (
    <div class="chart" style={{ height: `${props.height ?? 220}px` }}>
      <canvas ref={canvas} />
    </div>
  );
}

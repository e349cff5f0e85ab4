import { useTranslation } from 'react-i18next';
import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { BRAND_RED, GOLD_DARK } from '../../brand.ts';
import type { Summary } from '../api.ts';
import { takingsTicks } from '../numbers.ts';
import { cny, useMoney } from '../parts.tsx';

/**
 * Takings as bars (fen, integers: the axis and the tooltip print them as money through the same
 * formatter as everywhere, so no amount ever becomes a fraction of a yuan in floating point) and
 * the number of payments as a line on its own axis.
 */
export default function TakingsChart(props: { days: Summary['days'] }) {
  const { t } = useTranslation();
  const money = useMoney();
  const data = props.days.map((day) => ({
    date: day.date.slice(5),
    // An integer count of fen: exact as a number far beyond any day's takings.
    takings: Number(day.takings.amount),
    payments: day.payments,
  }));
  const ticks = takingsTicks(props.days.map((day) => BigInt(day.takings.amount)));
  const yuan = (fen: unknown) => money(cny(String(Math.round(Number(fen)))));
  return (
    <div className="portal-chart" data-testid="dashboard-chart">
      <ResponsiveContainer width="100%" height={300}>
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="date" tickMargin={6} padding={{ left: 12, right: 12 }} />
          <YAxis
            yAxisId="takings"
            ticks={ticks}
            domain={[0, ticks.at(-1)!]}
            tickFormatter={yuan}
            width={90}
          />
          <YAxis
            yAxisId="payments"
            orientation="right"
            allowDecimals={false}
            domain={[0, (most: number) => Math.max(4, most)]}
            width={40}
          />
          <Tooltip
            formatter={(value, name) => (name === t('portal.dashboard.takingsSeries') ? yuan(value) : value)}
          />
          <Legend />
          <Bar
            yAxisId="takings"
            dataKey="takings"
            name={t('portal.dashboard.takingsSeries')}
            fill={BRAND_RED}
            radius={[3, 3, 0, 0]}
            maxBarSize={24}
            isAnimationActive={false}
          />
          <Line
            yAxisId="payments"
            dataKey="payments"
            name={t('portal.dashboard.paymentsSeries')}
            stroke={GOLD_DARK}
            strokeWidth={2}
            dot={false}
            isAnimationActive={false}
          />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}

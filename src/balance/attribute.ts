/**
 * Which models carry a money gap when the request counts match? CometAPI's bill has no per-model
 * figures, so this tests one hypothesis per model: "only this model's price is off, by one factor".
 * For model m the least-squares factor over the days is k = Σ gap·cost_m / Σ cost_m², and the
 * hypothesis leaves the residual Σ (gap − k·cost_m)². Days without a gap count too: they clear the
 * models used on them. The models whose residual is within `tolerance` of the best are kept, and of
 * those the ones whose implied price change is plausible (at most ±50 %): on a single day every
 * model fits, but a cheap model would need its price multiplied several times over to carry a gap
 * that a few percent on the expensive one explains. See docs/decisions/0023-balance-and-reconciliation.md.
 */

/** Price changes beyond this are not taken as a stale price when a smaller one fits as well. */
const PLAUSIBLE_CHANGE = 0.5;

export interface AttributionDay {
  /** billed − metered, nano-USD. */
  gapNano: number;
  /** Metered nano-USD per model on the day. */
  byModel: ReadonlyMap<string, number>;
}

export interface Suspect {
  model: string;
  /** The price change that would explain the gaps, e.g. 0.1 for CometAPI charging 10 % more. */
  impliedChange: number;
  residual: number;
}

/** Best hypotheses first; empty when there is no gap to explain or no priced model to carry it. */
export function attributeGap(days: readonly AttributionDay[], tolerance = 0.01): Suspect[] {
  const gapSquares = days.reduce((sum, d) => sum + d.gapNano ** 2, 0);
  if (gapSquares === 0) return [];
  const models = new Set(days.flatMap((d) => [...d.byModel].filter(([, cost]) => cost > 0).map(([m]) => m)));
  const suspects = [...models].map((model): Suspect => {
    let cross = 0;
    let own = 0;
    for (const d of days) {
      const cost = d.byModel.get(model) ?? 0;
      cross += d.gapNano * cost;
      own += cost * cost;
    }
    const k = cross / own;
    const residual = days.reduce((sum, d) => sum + (d.gapNano - k * (d.byModel.get(model) ?? 0)) ** 2, 0);
    return { model, impliedChange: k, residual };
  });
  suspects.sort((a, b) => a.residual - b.residual || a.model.localeCompare(b.model));
  const best = suspects[0]?.residual ?? 0;
  const fitting = suspects.filter((s) => s.residual <= best + tolerance * gapSquares);
  const plausible = fitting.filter((s) => Math.abs(s.impliedChange) <= PLAUSIBLE_CHANGE);
  return plausible.length > 0 ? plausible : fitting;
}

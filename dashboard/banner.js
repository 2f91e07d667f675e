// The alert banner under the header (quota alerts, low-balance alerts): the newest alert of the
// last 24 hours not yet dismissed, remembered per browser by the highest id dismissed.
import { clear, el } from './dom.js';

const BANNER_WINDOW_MS = 24 * 3600_000;

/** ({ id, seenKey, i18n, title, text(alert) }) → { render(alerts) }; alerts newest first. */
export function createAlertBanner({ id, seenKey, i18n, title, text }) {
  const banner = el('div', { id, className: 'banner quota-banner', role: 'alert', hidden: true });
  document.getElementById('demo-banner')?.after(banner);
  const seenId = () => Number(localStorage.getItem(seenKey) ?? '0');
  return {
    render(alerts) {
      const fresh = alerts.filter((a) => a.id > seenId() && Date.now() - Date.parse(a.fired_at) < BANNER_WINDOW_MS);
      banner.hidden = fresh.length === 0;
      if (fresh.length === 0) return;
      const newest = fresh[0];
      const dismiss = () => (localStorage.setItem(seenKey, String(newest.id)), (banner.hidden = true));
      clear(banner).append(
        el('strong', {}, title(), ' '),
        el('span', { className: 'quota-banner-text' }, text(newest)),
        fresh.length > 1
          ? el('span', { className: 'muted' }, ' ', i18n().t('alert.more', { count: fresh.length - 1 }))
          : '',
        ' ',
        el('button', { type: 'button', className: 'link', onclick: dismiss }, i18n().t('alert.dismiss')),
      );
    },
  };
}

// The offer view (being built: issue 20).
import { add, t } from './i18n.js';
import { h } from './ui.js';

add({
  en: { 'view.offer': 'Capacity offer' },
  fr: { 'view.offer': 'Offre de capacité' },
  nl: { 'view.offer': 'Capaciteitsaanbod' },
});

export default {
  id: 'offer',
  title: 'view.offer',
  allowed: (me) => me.permissions['commercial'] === 'offer',
  async mount(el) {
    el.append(h('p.card', {}, t('view.offer')));
  },
};

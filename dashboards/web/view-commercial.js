// The commercial view (being built: issue 20).
import { add, t } from './i18n.js';
import { h } from './ui.js';

add({
  en: { 'view.commercial': 'Commercial' },
  fr: { 'view.commercial': 'Commercial' },
  nl: { 'view.commercial': 'Commercieel' },
});

export default {
  id: 'commercial',
  title: 'view.commercial',
  allowed: (me) => me.permissions['commercial'] === 'full',
  async mount(el) {
    el.append(h('p.card', {}, t('view.commercial')));
  },
};

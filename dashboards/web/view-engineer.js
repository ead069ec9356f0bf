// The engineer view (being built: issue 20).
import { add, t } from './i18n.js';
import { h } from './ui.js';

add({
  en: { 'view.engineer': 'Engineer' },
  fr: { 'view.engineer': 'Ingénierie' },
  nl: { 'view.engineer': 'Techniek' },
});

export default {
  id: 'engineer',
  title: 'view.engineer',
  allowed: (me) => !!me.permissions['monitoring:read'],
  async mount(el) {
    el.append(h('p.card', {}, t('view.engineer')));
  },
};

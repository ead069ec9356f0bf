// The wifi view (being built: issue 20).
import { add, t } from './i18n.js';
import { h } from './ui.js';

add({
  en: { 'view.wifi': 'Wifi' },
  fr: { 'view.wifi': 'Wifi' },
  nl: { 'view.wifi': 'Wifi' },
});

export default {
  id: 'wifi',
  title: 'view.wifi',
  allowed: (me) => !!me.permissions['wifi:read'],
  async mount(el) {
    el.append(h('p.card', {}, t('view.wifi')));
  },
};

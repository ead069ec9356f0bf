// The planner view (being built: issue 20).
import { add, t } from './i18n.js';
import { h } from './ui.js';

add({
  en: { 'view.planner': 'Planner' },
  fr: { 'view.planner': 'Planification' },
  nl: { 'view.planner': 'Planning' },
});

export default {
  id: 'planner',
  title: 'view.planner',
  allowed: (me) => !!me.permissions['cadastre:read'],
  async mount(el) {
    el.append(h('p.card', {}, t('view.planner')));
  },
};

// Help on the page: the key sheet (`?` or the ? button; Esc or Close shuts
// it, and focus goes back where it was), and a first-visit hint that goes
// away for good once dismissed (a setting in the project's store).
import { $ } from './page.js';

const HINT_SEEN = 'hint-dismissed';

export function openHelp() {
  const dialog = $('help');
  if (!dialog.open) dialog.showModal();
}

export async function wireHelp(store, firstVisit) {
  const dialog = $('help');
  $('help-open').addEventListener('click', openHelp);
  $('help-close').addEventListener('click', () => dialog.close());
  // A click on the backdrop (outside the sheet's box) closes it too.
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) dialog.close();
  });
  const hint = $('first-hint');
  const seen = firstVisit ? false : await store.setting(HINT_SEEN).catch(() => true);
  if (seen) return;
  hint.hidden = false;
  $('first-hint-help').addEventListener('click', openHelp);
  $('first-hint-close').addEventListener('click', () => {
    hint.hidden = true;
    store.putSetting(HINT_SEEN, true).catch(() => {}); // at worst, shown once more
  });
}

// The label-set editor: rename, recolour, set a key, delete (after showing
// how many spans go with it), add. It draws and reports what the person
// asked for; the app carries it out.

export function drawLabelEditor(root, labels, actions) {
  const frag = document.createDocumentFragment();
  for (const l of labels) {
    const row = document.createElement('div');
    row.className = 'label-edit';
    row.dataset.label = l.name;

    const color = document.createElement('input');
    color.type = 'color';
    color.value = l.color;
    color.title = 'colour';
    color.addEventListener('change', () => actions.color(l.name, color.value));

    const name = document.createElement('input');
    name.type = 'text';
    name.value = l.name;
    name.className = 'label-name';
    name.setAttribute('aria-label', 'label name');
    name.addEventListener('change', () => actions.rename(l.name, name.value));

    const key = document.createElement('input');
    key.type = 'text';
    key.maxLength = 1;
    key.value = l.key ?? '';
    key.className = 'label-key';
    key.setAttribute('aria-label', 'key');
    key.addEventListener('change', () => actions.key(l.name, key.value));

    const del = document.createElement('button');
    del.type = 'button';
    del.className = 'label-delete';
    del.textContent = 'Delete';
    del.addEventListener('click', async () => {
      const n = await actions.count(l.name);
      const ask = document.createElement('span');
      ask.className = 'label-confirm';
      ask.textContent = `Delete ${l.name} and its ${n} span${n === 1 ? '' : 's'}? `;
      const yes = document.createElement('button');
      yes.type = 'button';
      yes.className = 'label-delete-yes';
      yes.textContent = 'Delete';
      yes.addEventListener('click', () => actions.remove(l.name));
      const no = document.createElement('button');
      no.type = 'button';
      no.textContent = 'Keep';
      no.addEventListener('click', () => ask.replaceWith(del));
      ask.append(yes, no);
      del.replaceWith(ask);
    });
    row.append(color, name, key, del);
    frag.appendChild(row);
  }
  const add = document.createElement('form');
  add.className = 'label-add';
  const input = document.createElement('input');
  input.type = 'text';
  input.placeholder = 'New label';
  input.id = 'new-label';
  const button = document.createElement('button');
  button.type = 'submit';
  button.textContent = 'Add';
  add.append(input, button);
  add.addEventListener('submit', (e) => {
    e.preventDefault();
    if (input.value.trim()) actions.add(input.value);
  });
  frag.appendChild(add);
  root.replaceChildren(frag);
}

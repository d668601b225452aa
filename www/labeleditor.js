// The label-set editor: rename, recolour, set a key, delete (after showing
// how many spans go with it), add. It draws and reports what the person
// asked for; the app carries it out.

export function drawLabelEditor(root, labels, actions) {
  const frag = document.createDocumentFragment();
  for (const l of labels) {
    const row = document.createElement('div');
    row.className = 'label-edit';
    row.dataset.label = l.name;

    const color = colorInput(l.color, (v) => actions.color(l.name, v));
    const name = textInput(l.name, 'label-name', 'label name', (v) => actions.rename(l.name, v));
    const key = textInput(l.key ?? '', 'label-key', 'key', (v) => actions.key(l.name, v));
    key.maxLength = 1;
    const del = deleteButton(async () => {
      const n = await actions.count(l.name);
      return `Delete ${l.name} and its ${n} span${n === 1 ? '' : 's'}?`;
    }, () => actions.remove(l.name));
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

// The controls of a label's row, for span labels here and relation and
// document labels (structurelabels.js).

export function colorInput(value, onChange) {
  const color = document.createElement('input');
  color.type = 'color';
  color.value = value;
  color.title = 'colour';
  color.addEventListener('change', () => onChange(color.value));
  return color;
}

export function textInput(value, className, label, onChange) {
  const input = document.createElement('input');
  input.type = 'text';
  input.value = value;
  input.className = className;
  input.setAttribute('aria-label', label);
  input.addEventListener('change', () => onChange(input.value));
  return input;
}

// A Delete button that asks first (`question()`: what goes with the label).
export function deleteButton(question, onYes) {
  const del = document.createElement('button');
  del.type = 'button';
  del.className = 'label-delete';
  del.textContent = 'Delete';
  del.addEventListener('click', async () => {
    const ask = document.createElement('span');
    ask.className = 'label-confirm';
    ask.textContent = `${await question()} `;
    const yes = document.createElement('button');
    yes.type = 'button';
    yes.className = 'label-delete-yes';
    yes.textContent = 'Delete';
    yes.addEventListener('click', onYes);
    const no = document.createElement('button');
    no.type = 'button';
    no.textContent = 'Keep';
    no.addEventListener('click', () => ask.replaceWith(del));
    ask.append(yes, no);
    del.replaceWith(ask);
  });
  return del;
}

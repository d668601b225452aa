// Files in and out of the page: reading picked or dropped files, and saving
// an export as a download. Nothing here looks inside the files.

export async function readFiles(files) {
  return Promise.all(files.map(async (f) => ({
    name: f.webkitRelativePath || f.name,
    bytes: new Uint8Array(await f.arrayBuffer()),
  })));
}

export function download(fileName, content, type) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

//! A minimal POSIX (ustar) tar reader and writer: brat's folder of `.txt` +
//! `.ann` pairs travels as one tar file where only one file fits (the page's
//! download, stdin/stdout). Hand-written rather than the `tar` crate, which
//! reaches for the file system (and `filetime`/`xattr`) that wasm lacks; the
//! format is a 512-byte header per file and is all this needs: regular files
//! only, names under 100 bytes (brat names are made short), no links.

use super::{File, FormatError};

const BLOCK: usize = 512;

/// Whether the bytes start with a ustar header.
pub(crate) fn looks_like_tar(b: &[u8]) -> bool {
    b.len() >= BLOCK && &b[257..262] == b"ustar"
}

fn octal(field: &[u8]) -> Option<usize> {
    let s = std::str::from_utf8(field).ok()?;
    let s = s.trim_matches(|c: char| c == '\0' || c == ' ');
    if s.is_empty() {
        return Some(0);
    }
    usize::from_str_radix(s, 8).ok()
}

fn cstr(field: &[u8]) -> &[u8] {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    &field[..end]
}

/// The regular files of a tar archive, in archive order.
pub(crate) fn read(b: &[u8]) -> Result<Vec<File>, FormatError> {
    let mut files = Vec::new();
    let mut at = 0;
    let mut long_name: Option<String> = None;
    while at + BLOCK <= b.len() {
        let h = &b[at..at + BLOCK];
        if h.iter().all(|&x| x == 0) {
            break;
        }
        let size = octal(&h[124..136]).ok_or_else(|| {
            FormatError::new(format!(
                "tar archive: bad size field in the header at byte {at}"
            ))
        })?;
        let data = at + BLOCK;
        let end = data
            .checked_add(size)
            .filter(|&e| e <= b.len())
            .ok_or_else(|| {
                FormatError::new(format!(
                    "tar archive is cut short (a file at byte {data} needs {size} bytes)"
                ))
            })?;
        let name = {
            let n = String::from_utf8_lossy(cstr(&h[0..100])).into_owned();
            let prefix = String::from_utf8_lossy(cstr(&h[345..500])).into_owned();
            if prefix.is_empty() {
                n
            } else {
                format!("{prefix}/{n}")
            }
        };
        match h[156] {
            b'0' | 0 => {
                let path = long_name.take().unwrap_or(name);
                let path = path.trim_start_matches("./").to_string();
                files.push(File::new(path, b[data..end].to_vec()));
            }
            // GNU long name: the next header's name.
            b'L' => {
                long_name = Some(String::from_utf8_lossy(cstr(&b[data..end])).into_owned());
            }
            _ => {}
        }
        at = data + size.div_ceil(BLOCK) * BLOCK;
    }
    Ok(files)
}

/// One file of an archive (mode 0644, time 0: the same files always give
/// the same bytes): its header and its content, padded to a block. An
/// archive is its entries, then [`end`].
pub(crate) fn entry(f: &File) -> Vec<u8> {
    let mut h = [0u8; BLOCK];
    let name = f.path.as_bytes();
    let n = name.len().min(99);
    h[..n].copy_from_slice(&name[..n]);
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    h[124..136].copy_from_slice(format!("{:011o}\0", f.content.len()).as_bytes());
    h[136..148].copy_from_slice(b"00000000000\0");
    h[148..156].copy_from_slice(b"        ");
    h[156] = b'0';
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    let sum: u32 = h.iter().map(|&x| x as u32).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    let pad = (BLOCK - f.content.len() % BLOCK) % BLOCK;
    let mut out = Vec::with_capacity(BLOCK + f.content.len() + pad);
    out.extend_from_slice(&h);
    out.extend_from_slice(&f.content);
    out.extend(std::iter::repeat_n(0u8, pad));
    out
}

/// The two empty blocks that end an archive.
pub(crate) fn end() -> Vec<u8> {
    vec![0u8; 2 * BLOCK]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let files = vec![
            File::new("a.txt", "Zoë 😀\r\n".as_bytes()),
            File::new("a.ann", b"T1\tPER 0 3\tZo\xc3\xab".to_vec()),
            File::new("empty.txt", Vec::new()),
            File::new("big.txt", vec![b'x'; 1500]),
        ];
        let mut t: Vec<u8> = files.iter().flat_map(entry).collect();
        t.extend(end());
        assert!(looks_like_tar(&t));
        assert_eq!(t.len() % BLOCK, 0);
        assert_eq!(read(&t).unwrap(), files);
        assert!(read(&t[..BLOCK + 3])
            .unwrap_err()
            .message
            .contains("cut short"));
    }
}

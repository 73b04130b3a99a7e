//! Table-driven hex and base64 encoders that write straight into an output, in chunks,
//! without allocating.

use std::io::{self, Write};

/// Lower-case hex digits of every byte value, two per entry.
static HEX: [[u8; 2]; 256] = {
    let digits = *b"0123456789abcdef";
    let mut table = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = [digits[i >> 4], digits[i & 0xf]];
        i += 1;
    }
    table
};

/// The two lower-case hex digits of `b`.
#[inline]
pub(crate) fn hex_pair(b: u8) -> [u8; 2] {
    HEX[usize::from(b)]
}

/// Bytes encoded per chunk (the chunk buffer is twice as large).
const CHUNK: usize = 256;

/// Writes `data` as lower-case hex digits, no separators.
pub(crate) fn write_hex<W: Write + ?Sized>(w: &mut W, data: &[u8]) -> io::Result<()> {
    // Whole two-byte table entries are copied (one 16-bit load and store per byte);
    // the chunk is handed to `w` in one call.
    let mut buf = [[0u8; 2]; CHUNK];
    for chunk in data.chunks(CHUNK) {
        hex_into(chunk, &mut buf);
        w.write_all(buf.get(..chunk.len()).unwrap_or_default().as_flattened())?;
    }
    Ok(())
}

/// Fills `out` with the hex digits of `chunk` (`out` has at least `chunk.len()` slots).
#[cfg(target_arch = "x86_64")]
#[inline]
fn hex_into(chunk: &[u8], out: &mut [[u8; 2]; CHUNK]) {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi8, _mm_and_si128, _mm_cmpgt_epi8, _mm_loadu_si128, _mm_set1_epi8,
        _mm_srli_epi16, _mm_storeu_si128, _mm_unpackhi_epi8, _mm_unpacklo_epi8,
    };
    // SSE2 (part of the x86_64 baseline): 16 input bytes -> 32 digits per round.
    let mut blocks = chunk.chunks_exact(16);
    let mut done = 0;
    for (block, dst) in (&mut blocks).zip(out.chunks_exact_mut(16)) {
        // SAFETY: `block` is 16 readable bytes and `dst` 16 pairs = 32 writable bytes
        // (both bounds come from `chunks_exact`); unaligned loads and stores are used.
        unsafe {
            let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
            let m = _mm_set1_epi8(0x0f);
            let hi = _mm_and_si128(_mm_srli_epi16::<4>(v), m);
            let lo = _mm_and_si128(v, m);
            let digit = |n: __m128i| {
                // '0' + n, plus ('a' - '0' - 10) where n > 9.
                let over = _mm_and_si128(_mm_cmpgt_epi8(n, _mm_set1_epi8(9)), _mm_set1_epi8(39));
                _mm_add_epi8(_mm_add_epi8(n, _mm_set1_epi8(b'0' as i8)), over)
            };
            let (h, l) = (digit(hi), digit(lo));
            let p = dst.as_mut_ptr().cast::<__m128i>();
            _mm_storeu_si128(p, _mm_unpacklo_epi8(h, l));
            _mm_storeu_si128(p.add(1), _mm_unpackhi_epi8(h, l));
        }
        done += 16;
    }
    for (&b, slot) in blocks.remainder().iter().zip(out.iter_mut().skip(done)) {
        *slot = hex_pair(b);
    }
}

/// Fills `out` with the hex digits of `chunk` (`out` has at least `chunk.len()` slots).
#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn hex_into(chunk: &[u8], out: &mut [[u8; 2]; CHUNK]) {
    for (&b, slot) in chunk.iter().zip(out.iter_mut()) {
        *slot = hex_pair(b);
    }
}

/// Appends `data` as space-separated hex pairs (`7a 86 00`) to `out`.
pub(crate) fn push_hex_spaced(out: &mut Vec<u8>, data: &[u8]) {
    // 16 bytes (one tree line) per round: 48 bytes of text built on the stack.
    let mut line = [b' '; 48];
    for (i, chunk) in data.chunks(16).enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        for (&b, slot) in chunk.iter().zip(line.chunks_exact_mut(3)) {
            let [hi, lo] = hex_pair(b);
            if let [a, c, _] = slot {
                *a = hi;
                *c = lo;
            }
        }
        out.extend_from_slice(line.get(..chunk.len() * 3 - 1).unwrap_or_default());
    }
}

/// Appends the decimal digits of `v` (no allocation, no formatting machinery).
pub(crate) fn push_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(d) = buf.get_mut(i) {
            *d = b'0' + (v % 10) as u8; // ok: a digit
        }
        v /= 10;
        if v == 0 || i == 0 {
            break;
        }
    }
    out.extend_from_slice(buf.get(i..).unwrap_or_default());
}

/// Appends the decimal digits of `v`, with a `-` when negative.
pub(crate) fn push_i64(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    push_u64(out, v.unsigned_abs());
}

static B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

#[inline]
fn b64(v: u32) -> u8 {
    B64[(v & 0x3f) as usize] // ok: masked to 0..64
}

/// Appends `data` as standard padded base64 (RFC 4648), on one line.
pub(crate) fn push_base64(out: &mut Vec<u8>, data: &[u8]) {
    let start = out.len();
    out.resize(start + data.len().div_ceil(3) * 4, b'=');
    let Some(dst) = out.get_mut(start..) else {
        return;
    };
    let mut groups = data.chunks_exact(3);
    let mut slots = dst.chunks_exact_mut(4);
    for (g, slot) in (&mut groups).zip(&mut slots) {
        if let ([a, b, c], [w, x, y, z]) = (g, slot) {
            let v = u32::from(*a) << 16 | u32::from(*b) << 8 | u32::from(*c);
            (*w, *x, *y, *z) = (b64(v >> 18), b64(v >> 12), b64(v >> 6), b64(v));
        }
    }
    if let Some([w, x, y, _]) = slots.next() {
        match *groups.remainder() {
            [a] => {
                let v = u32::from(a) << 16;
                (*w, *x) = (b64(v >> 18), b64(v >> 12));
            }
            [a, b] => {
                let v = u32::from(a) << 16 | u32::from(b) << 8;
                (*w, *x, *y) = (b64(v >> 18), b64(v >> 12), b64(v >> 6));
            }
            _ => {}
        }
    }
}

/// Writes `data` as standard padded base64 (RFC 4648), on one line.
#[cfg(test)]
pub(crate) fn write_base64<W: Write + ?Sized>(w: &mut W, data: &[u8]) -> io::Result<()> {
    // 384 input bytes -> 512 output bytes per chunk (a multiple of 3 keeps chunks
    // independent of each other).
    let mut buf = [0u8; 512];
    for chunk in data.chunks(384) {
        let mut n = 0;
        let mut groups = chunk.chunks_exact(3);
        for g in &mut groups {
            let [a, b, c] = *g else { continue };
            let v = u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c);
            if let Some(out) = buf.get_mut(n..n + 4) {
                out.copy_from_slice(&[b64(v >> 18), b64(v >> 12), b64(v >> 6), b64(v)]);
            }
            n += 4;
        }
        let rest = groups.remainder();
        let tail = match *rest {
            [a] => {
                let v = u32::from(a) << 16;
                Some([b64(v >> 18), b64(v >> 12), b'=', b'='])
            }
            [a, b] => {
                let v = u32::from(a) << 16 | u32::from(b) << 8;
                Some([b64(v >> 18), b64(v >> 12), b64(v >> 6), b'='])
            }
            _ => None,
        };
        if let Some(tail) = tail
            && let Some(out) = buf.get_mut(n..n + 4)
        {
            out.copy_from_slice(&tail);
            n += 4;
        }
        w.write_all(buf.get(..n).unwrap_or_default())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(data: &[u8]) -> String {
        let mut out = Vec::new();
        write_hex(&mut out, data).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn base64(data: &[u8]) -> String {
        let mut out = Vec::new();
        write_base64(&mut out, data).unwrap();
        let mut pushed = b"x".to_vec();
        push_base64(&mut pushed, data);
        assert_eq!(&pushed[1..], &out[..]);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn hex_digits() {
        assert_eq!(hex(b""), "");
        assert_eq!(hex(&[0xd4, 0xc3, 0xb2, 0xa1, 0x00, 0x0f]), "d4c3b2a1000f");
        let long: Vec<u8> = (0..=255u8).cycle().take(CHUNK * 3 + 7).collect();
        let expected: String = long.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex(&long), expected);
        let mut spaced = Vec::new();
        push_hex_spaced(&mut spaced, &[0x7a, 0x86, 0x00]);
        assert_eq!(spaced, b"7a 86 00");
        let long: Vec<u8> = (0..40).collect();
        let mut spaced = Vec::new();
        push_hex_spaced(&mut spaced, &long);
        let expected: Vec<String> = long.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(String::from_utf8(spaced).unwrap(), expected.join(" "));
        let mut digits = Vec::new();
        for v in [0u64, 7, 10, 1234567890, u64::MAX] {
            digits.clear();
            push_u64(&mut digits, v);
            assert_eq!(digits, v.to_string().as_bytes());
        }
        for v in [0i64, -1, i64::MIN, i64::MAX] {
            digits.clear();
            push_i64(&mut digits, v);
            assert_eq!(digits, v.to_string().as_bytes());
        }
    }

    #[test]
    fn base64_rfc4648_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foob"), "Zm9vYg==");
        assert_eq!(base64(b"fooba"), "Zm9vYmE=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xd4, 0xc3, 0xb2, 0xa1]), "1MOyoQ==");
    }

    #[test]
    fn base64_across_chunks() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 256) as u8).collect();
        let text = base64(&data);
        assert_eq!(text.len(), data.len().div_ceil(3) * 4);
        // Chunked output equals encoding in one go: compare against a naive encoder.
        let mut naive = String::new();
        for g in data.chunks(3) {
            let v = g.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b)) << (8 * (3 - g.len()));
            for i in 0..=g.len() {
                naive.push(B64[((v >> (18 - 6 * i)) & 0x3f) as usize] as char);
            }
            for _ in g.len()..3 {
                naive.push('=');
            }
        }
        assert_eq!(text, naive);
    }
}

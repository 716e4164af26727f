//! Compressed inputs, recognised by extension as Hadoop's `CompressionCodecFactory` does
//! (`.gz`, `.bz2`, `.zst`, `.deflate`): Spark reads them transparently (checked with PySpark 4.0.1
//! for `.gz` and `.bz2`).

use std::io::Read;

use bytes::Bytes;

/// A codec chosen from a file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// Not compressed.
    None,
    /// `.gz` (concatenated members are read one after another, like Hadoop's GzipCodec).
    Gzip,
    /// `.bz2` (multi-stream).
    Bzip2,
    /// `.zst`.
    Zstd,
    /// `.deflate`: zlib-wrapped deflate, Hadoop's DefaultCodec.
    Deflate,
}

/// The codec Hadoop would pick for `name` (the file name or its URI).
pub fn codec_for(name: &str) -> Codec {
    let name = name.rsplit('/').next().unwrap_or(name);
    if name.ends_with(".gz") {
        Codec::Gzip
    } else if name.ends_with(".bz2") {
        Codec::Bzip2
    } else if name.ends_with(".zst") {
        Codec::Zstd
    } else if name.ends_with(".deflate") {
        Codec::Deflate
    } else {
        Codec::None
    }
}

/// The decompressed bytes of a file named `name`.
pub fn decompress(name: &str, data: Bytes) -> std::io::Result<Bytes> {
    let mut out = Vec::new();
    match codec_for(name) {
        Codec::None => return Ok(data),
        Codec::Gzip => flate2::read::MultiGzDecoder::new(&data[..]).read_to_end(&mut out)?,
        Codec::Bzip2 => bzip2::read::MultiBzDecoder::new(&data[..]).read_to_end(&mut out)?,
        Codec::Zstd => zstd::stream::read::Decoder::new(&data[..])?.read_to_end(&mut out)?,
        Codec::Deflate => flate2::read::ZlibDecoder::new(&data[..]).read_to_end(&mut out)?,
    };
    Ok(Bytes::from(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const TEXT: &[u8] = b"{\"id\":1}\n{\"id\":2}\n";

    #[test]
    fn every_codec_round_trips() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(TEXT).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(
            decompress("file:///in/a.json.gz", Bytes::from(gz)).unwrap(),
            TEXT
        );
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
        bz.write_all(TEXT).unwrap();
        assert_eq!(
            decompress("a.json.bz2", Bytes::from(bz.finish().unwrap())).unwrap(),
            TEXT
        );
        let zst = zstd::stream::encode_all(TEXT, 0).unwrap();
        assert_eq!(decompress("a.json.zst", Bytes::from(zst)).unwrap(), TEXT);
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(TEXT).unwrap();
        assert_eq!(
            decompress("a.deflate", Bytes::from(z.finish().unwrap())).unwrap(),
            TEXT
        );
        assert_eq!(
            decompress("a.json", Bytes::from_static(TEXT)).unwrap(),
            TEXT
        );
    }

    #[test]
    fn corrupt_input_is_an_error() {
        assert!(decompress("a.json.gz", Bytes::from_static(b"not gzip")).is_err());
        assert_eq!(codec_for("dir.gz/a.json"), Codec::None);
    }
}

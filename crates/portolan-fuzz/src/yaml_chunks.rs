//! The chunked YAML parse (`portolan_core::yaml_chunks`), which the API
//! changelog uses to read many revisions of one definition: whenever it
//! answers, its answer is exactly the whole-document parse's (documents,
//! values, spans) and the whole parse found no error. Each input is parsed
//! through one cache as written, after a line added above it (its chunks
//! found again at other offsets) and without its first line (a
//! neighbouring revision), at the default limits and at tiny ones, cut
//! into the smallest chunks; and without a cache, on rayon's threads
//! (`parse_parallel`, which every large YAML file goes through).

use portolan_core::yaml::Document;
use portolan_core::yaml::{self, YamlLimits};
use portolan_core::yaml_chunks::{self, ChunkCache};

use crate::yaml_spans::TIGHT;

pub fn yaml_chunks(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for limits in [YamlLimits::default(), TIGHT] {
        let cache = ChunkCache::new(limits, 1 << 16).descend_at(0);
        let cached = |text: &str| cache.parse(text);
        assert_same(&text, limits, &cached);
        assert_same(&format!("moved: 1\n{text}"), limits, &cached);
        cache.next_generation();
        if let Some((_, rest)) = text.split_once('\n') {
            assert_same(rest, limits, &cached);
        }
        let parallel = |text: &str| yaml_chunks::parse_parallel_cut_at(text, limits, 0);
        assert_same(&text, limits, &parallel);
    }
}

fn assert_same(text: &str, limits: YamlLimits, parse: &dyn Fn(&str) -> Option<Vec<Document>>) {
    let Some(chunked) = parse(text) else {
        return;
    };
    let full = yaml::parse_stream(text, limits);
    assert!(
        full.errors.is_empty(),
        "parsed in chunks, but the whole parse reports {:?}",
        full.errors
    );
    // Debug text compares floats by what they print (NaN equals NaN,
    // -0.0 differs from 0.0), and says where trees differ when they do.
    let (chunked, full) = (format!("{chunked:#?}"), format!("{:#?}", full.documents));
    if chunked != full {
        let line = chunked
            .lines()
            .zip(full.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "chunked parse differs from the whole parse at line {line} of their Debug text:\n{}\n---\n{}",
            chunked
                .lines()
                .skip(line.saturating_sub(8))
                .take(16)
                .collect::<Vec<_>>()
                .join("\n"),
            full.lines()
                .skip(line.saturating_sub(8))
                .take(16)
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
}

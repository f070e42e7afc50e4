//! How long `validate` takes on a draft with every field filled: the browser
//! runs it on every keystroke, so it must stay far below a frame (16 ms).

use conference::{validate, Conference, Draft, Field};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

fn full_draft() -> Draft {
    [
        (Field::AuthUsername, "demo"),
        (Field::AuthPassword, "demo"),
        (Field::Code, "123456"),
        (Field::AdminPin, "9876"),
        (Field::TalkPin, "234567"),
        (Field::ListenPin, "345678"),
        (Field::Year, "2027"),
        (Field::Month, "1"),
        (Field::Day, "31"),
        (Field::Hour, "9"),
        (Field::Minute, "30"),
        (Field::Duration, "60"),
        (Field::Repeats, "monthly"),
        (Field::Count, "12"),
        (Field::Description, "Monthly all-hands, with the board"),
        (Field::Owner, "12"),
        (Field::Customer, "3"),
        (Field::CallerId, "+441234567890"),
        (Field::Maximum, "50"),
        (Field::Panel, "1"),
        (Field::PlayJoin, "1"),
        (Field::PlayMusic, "0"),
        (Field::RecordName, "1"),
        (Field::WaitMusic, "1"),
    ]
    .into_iter()
    .fold(Draft::new(), |d, (f, v)| d.with(f, v))
}

fn bench(c: &mut Criterion) {
    let draft = full_draft();
    assert!(validate(&draft).is_empty());
    c.bench_function("validate full draft", |b| {
        b.iter(|| validate(black_box(&draft)))
    });
    c.bench_function("draft to request body with occurrences", |b| {
        b.iter(|| {
            let conference = Conference::from_draft(black_box(&draft)).unwrap();
            (
                conference.to_body(&conference::Credentials::Token("t".into()), true),
                conference.occurrences(),
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

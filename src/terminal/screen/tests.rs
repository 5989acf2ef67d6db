use super::*;

fn fresh_copy(s: &Screen) -> vt100::Parser {
    let (rows, cols) = s.size();
    let mut p = vt100::Parser::new(nz(rows), nz(cols), 100_000);
    p.process(&s.replay());
    p
}

#[test]
fn a_replay_draws_the_same_screen_with_its_colours_and_cursor() {
    let mut s = Screen::new(10, 40, 100);
    s.process(b"hello \x1b[31mred\x1b[m world\r\n$ ls\r\n\x1b[1;32mdir\x1b[m  file\r\n$ ");
    let copy = fresh_copy(&s);
    let want = s.parser.screen();
    assert_eq!(copy.screen().contents(), want.contents());
    assert_eq!(
        copy.screen().contents_formatted(),
        want.contents_formatted()
    );
    assert_eq!(copy.screen().cursor_position(), want.cursor_position());
}

#[test]
fn lines_that_scrolled_off_come_back_as_history_in_order() {
    let mut s = Screen::new(5, 20, 100);
    for i in 0..30 {
        s.process(format!("line {i}\r\n").as_bytes());
    }
    assert_eq!(s.history_len().0, 26, "30 lines and the cursor's, 5 rows");
    let copy = fresh_copy(&s);
    let screen = copy.screen();
    assert_eq!(screen.contents(), s.contents());
    let mut scrolled = copy;
    scrolled.screen_mut().set_scrollback(usize::MAX);
    let top = scrolled.screen().contents();
    assert!(top.starts_with("line 0\n"), "{top}");
}

#[test]
fn history_is_bounded_in_lines() {
    let mut s = Screen::new(5, 20, 10);
    for i in 0..1000 {
        s.process(format!("line {i}\r\n").as_bytes());
    }
    assert_eq!(s.history_len().0, 10);
    let replay = String::from_utf8(s.replay()).unwrap_or_default();
    assert!(!replay.contains("line 900\r"), "old lines went");
    assert!(replay.contains("line 994"));
}

#[test]
fn a_wrapped_line_replays_as_one_line() {
    let mut s = Screen::new(3, 10, 100);
    // 25 characters on 10 columns: three rows, two of them wrapped; then enough lines to push
    // them into history.
    s.process(b"abcdefghijklmnopqrstuvwxy\r\n1\r\n2\r\n3\r\n4\r\n");
    let replay = String::from_utf8(s.replay()).unwrap_or_default();
    assert!(
        replay.contains("abcdefghij\x1b[mklmnopqrst\x1b[muvwxy\r\n"),
        "{replay:?}"
    );
}

#[test]
fn a_full_screen_program_and_the_screen_under_it_both_come_back() {
    let mut s = Screen::new(6, 30, 100);
    s.process(b"$ echo before\r\nbefore\r\n$ vim\r\n");
    s.process(b"\x1b[?1049h\x1b[H\x1b[2Jeditor line 1\r\n~\r\n~\x1b[6;1H-- INSERT --\x1b[1;3H");
    let mut copy = fresh_copy(&s);
    assert!(copy.screen().alternate_screen());
    assert_eq!(copy.screen().contents(), s.contents());
    assert_eq!(
        copy.screen().cursor_position(),
        s.parser.screen().cursor_position()
    );
    // Leaving the program shows the shell's screen as it was.
    copy.process(b"\x1b[?1049l");
    assert!(
        copy.screen().contents().contains("before\n$ vim"),
        "{}",
        copy.screen().contents()
    );
}

#[test]
fn the_folder_and_the_title_are_noticed_and_titles_are_plain_text() {
    let mut s = Screen::new(5, 20, 10);
    s.process(b"\x1b]7;file://atajo/w/my%20docs;x\x1b\\");
    s.process(b"\x1b]0;<b>hi\x07there</b>\x07");
    let notices = s.notices();
    assert_eq!(notices[0], Notice::Cwd(b"/w/my docs;x".to_vec()));
    assert!(
        matches!(&notices[1], Notice::Title(t) if t == "<b>hi"),
        "{notices:?}"
    );
    s.process(b"\x1b]2;a\x1b[31mb\x07");
    assert!(
        matches!(s.notices().first(), Some(Notice::Title(t)) if !t.contains('\x1b')),
        "no control characters in a title"
    );
}

#[test]
fn osc7_paths_decode_and_odd_ones_do_not_panic() {
    assert_eq!(osc7_path(b"file://h/a%2Fb"), Some(b"/a/b".to_vec()));
    assert_eq!(osc7_path(b"file://h/a%"), Some(b"/a%".to_vec()));
    assert_eq!(osc7_path(b"file://h/a%zz"), Some(b"/a%zz".to_vec()));
    assert_eq!(osc7_path(b"file://host"), None);
    assert_eq!(osc7_path(b"http://h/x"), None);
}

/// A flood as `ls --color`, `grep --color` or a build would print it: coloured, erased to the
/// end of line, tabbed, some lines longer than the screen is wide.
fn flood(lines: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..lines {
        let colour = 31 + i % 7;
        let long = if i % 97 == 0 {
            "x".repeat(150)
        } else {
            String::new()
        };
        out.extend_from_slice(
            format!("\x1b[{colour}mline {i}\x1b[m\tmore {long}\x1b[K\r\n").as_bytes(),
        );
    }
    out
}

#[test]
fn a_flood_skipped_in_part_leaves_the_same_screen_and_history() {
    for (history, lines) in [(100, 20_000), (1000, 50_000), (0, 30_000)] {
        let mut whole = Screen::new(24, 80, history);
        let mut fast = Screen::new(24, 80, history);
        // A colour left on before the flood, and a partial line.
        for s in [&mut whole, &mut fast] {
            s.process(b"$ cat log\r\n\x1b[1mbold from before ");
        }
        let bytes = flood(lines);
        assert!(
            skippable(&bytes, history + 25).is_some(),
            "this flood can be skipped"
        );
        whole.process(&bytes);
        fast.process_backlog(&bytes);
        assert_eq!(fast.history_len(), whole.history_len(), "history {history}");
        assert_eq!(fast.replay(), whole.replay(), "history {history}");
        // What follows draws the same too (the colours and the cursor were right).
        whole.process(b"after\x1b[32m green");
        fast.process(b"after\x1b[32m green");
        assert_eq!(fast.replay(), whole.replay());
    }
}

#[test]
fn a_flood_that_moves_the_cursor_or_says_something_is_parsed_whole() {
    let mut bytes = flood(20_000);
    let mid = bytes.len() / 2;
    for odd in [
        &b"\x1b[5;5H"[..],
        b"\x1b]7;file://h/x\x07",
        b"\x1b[?1049h",
        b"\x0e",
    ] {
        let mut b = bytes.clone();
        b.splice(mid..mid, odd.iter().copied());
        assert!(skippable(&b, 125).is_none(), "{odd:?}");
    }
    // Line ends without a carriage return leave the cursor where it was: not skipped.
    bytes.retain(|&b| b != b'\r');
    assert!(skippable(&bytes, 125).is_none());
    // Too small to bother.
    assert!(skippable(&flood(100), 10).is_none());
}

#[test]
fn focus_reporting_that_vim_turns_on_comes_back() {
    let mut s = Screen::new(5, 20, 10);
    s.process(b"\x1b[?1049h\x1b[?1004hvim");
    assert!(String::from_utf8_lossy(&s.replay()).ends_with("\x1b[?1004h"));
    s.process(b"\x1b[?1004l\x1b[?1049l");
    assert!(!String::from_utf8_lossy(&s.replay()).contains("1004"));
}

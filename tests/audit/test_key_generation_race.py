"""A key generated on first use is never seen half written: threads that race for a fresh key
all load the same whole key, and its public half beside it."""

import threading

from audit import keys, notes


def test_threads_racing_for_a_fresh_key_all_load_the_same_whole_key(tmp_path, settings):
    settings.AUDIT_GENERATE_MISSING_KEY = True
    for round_ in range(40):
        path = tmp_path / f"round-{round_}" / "receipt-ed25519.pem"
        start, loaded, errors = threading.Barrier(8), [], []

        def load(path=path, start=start, loaded=loaded, errors=errors):
            try:
                start.wait()
                loaded.append(keys.load_or_generate(path, "BID_RECEIPT_KEY"))
            except Exception as exc:  # reported to the test thread
                errors.append(exc)

        threads = [threading.Thread(target=load) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        publics = {key.public_key().public_bytes_raw() for key in loaded}
        assert len(publics) == 1  # one key won; nobody made a second
        assert keys.public_key_path(path).read_bytes() == notes.public_key_pem(loaded[0])
        assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []


def test_a_key_given_in_production_is_only_read(tmp_path, settings):
    settings.AUDIT_GENERATE_MISSING_KEY = True
    path = tmp_path / "keys" / "checkpoint-ed25519.pem"
    made = keys.load_or_generate(path, "AUDIT_CHECKPOINT_KEY")
    keys.public_key_path(path).unlink()
    settings.AUDIT_GENERATE_MISSING_KEY = False
    keys._load.cache_clear()
    again = keys.load_or_generate(path, "AUDIT_CHECKPOINT_KEY")
    assert again.public_key().public_bytes_raw() == made.public_key().public_bytes_raw()
    assert not keys.public_key_path(path).exists()  # production is given it, not written

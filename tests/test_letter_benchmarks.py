"""The letter benchmarks' own parts at a tiny scale: the worker that runs in either tree delivers a
round with its letters (with and without a logo) on this one. The benchmarks run outside CI."""

from benchmarks import letter_rate, letter_rate_against


def test_the_worker_of_the_comparison_delivers_a_round_on_this_tree(tmp_path):
    assert letter_rate_against.round_rate(letter_rate_against.ROOT, workers=1, cooperatives=2, logo=None) > 0
    logo = tmp_path / "logo.png"
    logo.write_bytes(letter_rate.office_images()[0])
    assert letter_rate_against.round_rate(letter_rate_against.ROOT, workers=1, cooperatives=2, logo=logo) > 0

"""batch(): the batch engine over Python rows, parity with `llm-energy batch` (JSONL rows)."""
import itertools
import json
import threading

import pytest

import llm_energy

ROWS = [
    {"id": "a", "params": "7B", "tokens": "1T", "region": "FR"},
    {"id": "b", "params": 70e9, "tokens": 2e12, "hardware": "a100-sxm4-80gb"},
    {"id": "bad-number", "params": "lots", "tokens": "1T"},
    {"id": "c", "params": 1e9, "tokens": 1e8, "phase": "training", "max_energy": "0.1kWh"},
    {"id": "unknown-key", "params": 1e9, "tokens": 1e8, "colour": "red"},
    {"id": "bad-hardware", "params": 1e9, "tokens": 1e8, "hardware": "h100x"},
    {"params": 1e9, "tokens": 1e8, "recompute": True, "mfu": (0.3, 0.4)},
]


def jsonl(rows):
    out = []
    for r in rows:
        r = {k: (":".join(map(str, v)) if isinstance(v, tuple) else v) for k, v in r.items()}
        out.append(json.dumps(r))
    return "\n".join(out) + "\n"


def test_rows_equal_cli_batch_rows(cli):
    p = cli(["batch", "-", "--format", "jsonl"], stdin=jsonl(ROWS))
    assert p.returncode == 2  # rows failed
    want = [json.loads(line) for line in p.stdout.splitlines()]
    got = list(llm_energy.batch(ROWS))
    assert len(got) == len(ROWS) == len(want)
    for g, w in zip(got, want):
        assert g.to_dict() == w
    assert [g.ok for g in got] == [True, True, False, True, False, False, True]


def test_error_rows_carry_the_message():
    got = list(llm_energy.batch(ROWS))
    bad = got[2]
    assert isinstance(bad, llm_energy.RowError)
    assert bad.id == "bad-number" and bad.line == 3
    assert bad.error.startswith("line 3: params:")
    assert "unknown key 'colour'" in got[4].error
    assert got[5].error.startswith("line 6: ")
    assert got[6].id == 7  # no id: the row's position
    over = got[3]
    assert over.over_budget is True and over.budget["within"] is False
    assert got[0].budget is None and got[0].training.energy_kwh > 0


def test_not_a_mapping_is_an_error_row():
    got = list(llm_energy.batch([{"params": 1e9, "tokens": 1e8}, 42, ["x"]]))
    assert [g.ok for g in got] == [True, False, False]
    assert got[1].error == "line 2: expected a mapping of settings (a dict), got int"


def test_base_keywords_and_row_overrides():
    got = list(llm_energy.batch([{"tokens": 1e8}, {"tokens": 1e8, "region": "DE"}], params="1B", region="FR"))
    assert [g.region for g in got] == ["FR", "DE"]
    direct = llm_energy.estimate(params="1B", tokens=1e8, region="FR").to_dict()
    assert got[0].training.energy_kwh == direct["training"]["energy_kwh"]


def test_missing_values_are_skipped():
    got = list(llm_energy.batch([{"params": 1e9, "tokens": 1e8, "region": None, "mfu": float("nan")}]))
    assert got[0].ok and got[0].region == "world"


def test_streams_an_endless_iterator_in_chunks():
    rows = ({"params": 1e9, "tokens": 1e8 * (1 + i)} for i in itertools.count())
    first = list(itertools.islice(llm_energy.batch(rows, chunk_size=16), 40))
    assert [r.line for r in first] == list(range(1, 41))
    assert first[0].training.energy_kwh < first[39].training.energy_kwh


def test_chunks_give_the_same_rows():
    rows = [{"params": 1e9 * (1 + i % 3), "tokens": 1e8 * (1 + i)} for i in range(50)]
    one = [r.to_dict() for r in llm_energy.batch(rows, chunk_size=1)]
    many = [r.to_dict() for r in llm_energy.batch(rows, chunk_size=7)]
    assert one == many


class FakeFrame:
    """What batch() uses of a pandas DataFrame: columns and itertuples(index=False, name=None)."""

    def __init__(self, columns, data):
        self.columns = columns
        self._data = data

    def itertuples(self, index=True, name="Pandas"):
        assert index is False and name is None
        return iter(self._data)


def test_data_frame_rows():
    frame = FakeFrame(["params", "tokens", "region"], [(1e9, 1e8, "FR"), (7e9, 1e12, float("nan"))])
    got = list(llm_energy.batch(frame))
    assert [g.region for g in got] == ["FR", "world"]


def test_pandas_data_frame():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"params": [1e9, 7e9], "tokens": [1e8, 1e12], "region": ["FR", None]})
    got = list(llm_energy.batch(frame))
    assert [g.region for g in got] == ["FR", "world"]


def test_gil_is_released_while_the_core_runs():
    # Another Python thread runs while one large chunk is estimated: with the GIL held for the
    # whole call it could not append a single tick in between.
    rows = [{"params": 1e9 * (1 + i % 7), "tokens": 1e8 + i} for i in range(30000)]
    engine = llm_energy._core.Batch([], "central", "", [], [])
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(1)
            done.wait(0.0005)

    t = threading.Thread(target=tick)
    t.start()
    try:
        before = len(ticks)
        out = engine.run(rows)
        during = len(ticks) - before
    finally:
        done.set()
        t.join()
    assert len(out) == 30000
    assert during > 5


def test_bad_base_raises():
    with pytest.raises(llm_energy.InputError, match="params"):
        list(llm_energy.batch([{}], params="lots"))
    with pytest.raises(llm_energy.InputError, match="chunk_size"):
        list(llm_energy.batch([{}], chunk_size=0))

"""The embedding cache (one encode per row, on disk) and the pretrained-encoder loaders."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from howmuchdata.embedding_cache import EmbeddingCache, embed_with_cache, row_keys
from howmuchdata.errors import HowMuchDataError
from howmuchdata.strategies.embedders import (
    EmbeddingTransformer,
    FunctionEmbedder,
    ImageEmbedder,
    TextEmbedder,
)


class CountingEmbed:
    """embed(X) -> (len, 2) array; remembers every row it was asked to encode."""

    def __init__(self):
        self.seen: list[str] = []

    def __call__(self, rows):
        values = list(rows)
        self.seen.extend(values)
        return np.array([[len(v), v.count("a")] for v in values], dtype=float)


def test_each_distinct_row_is_encoded_once_across_calls_and_processes(tmp_path):
    texts = pd.Series(["abc", "banana", "abc", "kiwi"])
    embed = CountingEmbed()
    cache = EmbeddingCache(tmp_path, "counting")
    first = embed_with_cache(texts, embed, cache)
    assert sorted(embed.seen) == ["abc", "banana", "kiwi"]  # the duplicate once
    assert first.shape == (4, 2) and np.array_equal(first[0], first[2])
    embed.seen.clear()
    # a new cache object (as in another process) on the same folder: nothing is re-encoded
    again = embed_with_cache(texts.iloc[::-1], embed, EmbeddingCache(tmp_path, "counting"))
    assert embed.seen == []
    assert np.array_equal(again, first[::-1])
    embed_with_cache(pd.Series(["abc", "fig"]), embed, cache)
    assert embed.seen == ["fig"]
    assert len(cache) == 4


def test_caches_of_different_embedders_are_separate(tmp_path):
    embed = CountingEmbed()
    embed_with_cache(["abc"], embed, EmbeddingCache(tmp_path, "model-a"))
    embed_with_cache(["abc"], embed, EmbeddingCache(tmp_path, "model-b"))
    assert embed.seen == ["abc", "abc"]


def test_row_keys_depend_on_content_not_position():
    keys = row_keys(np.array([[1.0, 2.0], [3.0, 4.0], [1.0, 2.0]]))
    assert keys[0] == keys[2] != keys[1]


def test_pipeline_reads_vectors_back_for_every_curve_point(tmp_path):
    texts = pd.DataFrame({"text": [f"{'a' * (i % 7)} word {i}" for i in range(60)]})
    y = np.array([i % 7 > 3 for i in range(60)])
    embed = CountingEmbed()
    step = EmbeddingTransformer(
        FunctionEmbedder(embed, name="count"), column="text", cache_dir=tmp_path
    )
    pipe = Pipeline([("embed", step), ("head", LogisticRegression())])
    for n in (20, 40, 60):  # three curve points on nested subsets, each a fresh clone
        clone(pipe).fit(texts.iloc[:n], y[:n]).predict(texts)
    assert len(embed.seen) == 60  # every row encoded exactly once


def test_missing_image_weights_name_the_file(tmp_path):
    missing = tmp_path / "resnet18-f37072fd.pth"
    embedder = ImageEmbedder((8, 8), weights=missing)
    with pytest.raises(HowMuchDataError) as info:
        embedder.check()
    message = str(info.value)
    assert str(missing) in message and "\n" not in message
    assert "image_weights=PATH (--image-weights)" in message


def test_text_embedder_on_several_columns_names_the_python_argument():
    # refused before the model is loaded, so this runs without sentence-transformers
    rows = pd.DataFrame({"title": ["a", "b"], "body": ["c", "d"]})
    with pytest.raises(HowMuchDataError) as info:
        TextEmbedder()(rows)
    message = str(info.value)
    assert "got 2 columns" in message and "\n" not in message
    assert "pass text=COLUMN, the name of the text column (--text COL)" in message


@pytest.mark.slow
def test_exported_backbone_from_disk_embeds_images(tmp_path):
    torch = pytest.importorskip("torch")

    class Backbone(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 4, kernel_size=3)

        def forward(self, x):
            return self.conv(x).mean(dim=(2, 3))

    torch.manual_seed(0)
    path = tmp_path / "backbone.pt2"
    example = torch.zeros(2, 3, 16, 16)
    batch = torch.export.Dim("batch")
    program = torch.export.export(Backbone(), (example,), dynamic_shapes={"x": {0: batch}})
    torch.export.save(program, str(path))
    embedder = ImageEmbedder((8, 8), weights=path, pixel_max=16.0, input_size=16)
    embedder.check()
    images = np.random.default_rng(0).integers(0, 17, size=(5, 64)).astype(float)
    vectors = embedder(images)
    assert vectors.shape == (5, 4)
    assert not np.allclose(vectors[0], vectors[1])  # different images, different features
    assert np.allclose(embedder(images[:1]), vectors[:1], atol=1e-5)  # deterministic (eval mode)
    wrong_size = ImageEmbedder((8, 8), weights=path, pixel_max=16.0, input_size=32)
    with pytest.raises(HowMuchDataError, match=r"rejects images of shape \(5, 3, 32, 32\)"):
        wrong_size(images)


@pytest.mark.slow
def test_a_file_that_is_no_backbone_is_a_clear_error(tmp_path):
    pytest.importorskip("torch")
    path = tmp_path / "junk.pt"
    path.write_bytes(b"not a model")
    with pytest.raises(HowMuchDataError, match="torchvision|cannot load"):
        ImageEmbedder((8, 8), weights=path)._model()
    exported = tmp_path / "junk.pt2"
    exported.write_bytes(b"not a model either")
    with pytest.raises(HowMuchDataError, match="torch.export"):
        ImageEmbedder((8, 8), weights=exported)._model()


class SlowEmbed:
    """An encoder that takes ``delay`` seconds per call (a model load), counting its rows."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.rows = 0

    def __call__(self, rows):
        import time

        time.sleep(self.delay)
        frame = rows[["a", "b"]].to_numpy(dtype=float)
        self.rows += len(frame)
        return frame


def test_encoder_load_and_encoding_are_timed_apart_from_every_fit(small_table, tmp_path, capsys):
    from howmuchdata import compare

    X, y = small_table
    embed = SlowEmbed(delay=0.4)
    settings = {"strategies": ["transfer"], "sizes": [20, 40, 80], "repeats": 1}
    result = compare(X, y, embed=embed, cache_dir=tmp_path, progress="log", **settings)
    fit_seconds = result.curves["transfer"].points["fit_seconds"]
    assert (fit_seconds < embed.delay).all()  # no point pays for the encoder
    timing = result.settings["embedding"]
    assert timing["seconds"] >= embed.delay and timing["encoded"] == len(X) == embed.rows
    err = capsys.readouterr().err
    assert f"embeddings: {len(X)} rows with user:" in err
    assert f"({len(X)} encoded, 0 read from " in err  # a cold cache: nothing read from it
    assert "not counted in any fit time" in err

    again = compare(X, y, embed=embed, cache_dir=tmp_path, progress=False, **settings)
    assert again.settings["embedding"]["encoded"] == 0 and embed.rows == len(X)
    assert "embeddings:" not in capsys.readouterr().err  # quiet means quiet

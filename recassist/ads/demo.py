"""The synthetic demo ads catalogue for a MovieLens data set.

MovieLens has no ads, so the demo catalogue is generated: for each genre, two ads from made-up
advertisers whose names start with "Synthetic", targeting that genre's fans (some also an age
range). Every ad's title starts with "[Synthetic]", the catalogue's manifest says `synthetic: true`,
and every pick served from it carries `synthetic=True`, which the surfaces show. It is written as an
ordinary ads file and imported through the same path as a real one. Click numbers never come from
it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recassist.ads.catalogue import AdsCatalogue, import_ads
from recassist.data.schema import TAG_SEPARATOR
from recassist.data.store import Dataset
from recassist.settings import Settings

ADVERTISERS = (
    "Synthetic Streaming Co.",
    "Synthetic Cinema Club",
    "Synthetic Poster Shop",
    "Synthetic Soundtrack Store",
    "Synthetic Film School",
)
OFFERS = (
    (
        "{tag} night: a month of streaming",
        "Stream the best of {tag} films, a new pick every night.",
    ),
    ("{tag} screenings near you", "Big-screen revivals of {tag} favourites this weekend."),
    ("{tag} collector's posters", "Prints of classic {tag} film posters."),
    ("{tag} soundtracks on vinyl", "Scores and songs from {tag} films, newly pressed."),
    ("Learn to make {tag} films", "An evening course in the craft behind {tag} cinema."),
)
AGE_RANGES = ("", "18-34", "35-", "")


def demo_ads(dataset: Dataset, seed: int = 7) -> pd.DataFrame:
    """Two synthetic ads per tag of the catalogue, deterministic for a seed."""
    rng = np.random.default_rng(seed)
    budgets = {name: float(rng.choice([20.0, 40.0, 60.0])) for name in ADVERTISERS}
    tags = sorted(
        {
            t
            for value in dataset.items["tags"]
            for t in value.split(TAG_SEPARATOR)
            if t and t != "unknown"
        }
    )
    rows = []
    for t_index, tag in enumerate(tags):
        for slot in range(2):
            which = (t_index + slot * 2) % len(ADVERTISERS)
            title, text = OFFERS[which]
            age = AGE_RANGES[(t_index + slot) % len(AGE_RANGES)]
            rows.append(
                {
                    "ad_id": f"demo-{t_index:02d}-{slot}",
                    "advertiser": ADVERTISERS[which],
                    "title": "[Synthetic] " + title.format(tag=tag),
                    "text": text.format(tag=tag) + " (A synthetic demo ad.)",
                    "tags": tag,
                    "bid": round(float(rng.uniform(0.3, 1.5)), 2),
                    "daily_budget": budgets[ADVERTISERS[which]],
                    "targeting": f"tags={tag}" + (f"; age={age}" if age else ""),
                }
            )
    return pd.DataFrame(rows)


def build_demo_catalogue(dataset: Dataset, settings: Settings) -> AdsCatalogue:
    """Write the demo ads file into the data directory and import it, labelled synthetic."""
    folder = settings.data_dir / "ads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"demo-{dataset.name}.csv"
    demo_ads(dataset, settings.ads.seed).to_csv(path, index=False)
    return import_ads(dataset.name, path, settings, synthetic=True)

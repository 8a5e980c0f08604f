"""How the input's encoding is told: the detection (charset-normalizer after the byte-order mark
and UTF-8 checks) against the heuristic it replaced (Windows-1251 or Latin-1 by the Cyrillic
share of the high-byte words), on shipment files written in the encodings trade files come in.

    python benchmarks/encodings.py [--runs 5]

Prints, per encoding, whether each reads the file back exactly, and the median time of one
detection (a 64 KiB sample).
"""

from __future__ import annotations

import argparse
import codecs
import json
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.decoding import SAMPLE_BYTES, detect

HEADER = "shipment_id,shipper,consignee,consignee_country,hs_code,description\n"
# Rows a file in each encoding would hold: names and goods in the languages that write it.
ROWS = {
    "gb18030": "{i},深圳市龙盛电子有限公司,莫斯科贸易有限公司,俄罗斯,8542.31,集成电路 处理器\n",
    "big5": "{i},台北電子股份有限公司,莫斯科貿易有限公司,俄羅斯,8542.31,積體電路\n",
    "shift_jis": "{i},大阪セラミックス株式会社,モスクワ商事,ロシア,8542.31,集積回路\n",
    "euc_kr": "{i},서울전자 주식회사,모스크바 무역,러시아,8542.31,집적회로\n",
    "cp1251": "{i},ООО Ромашка,АО Северный Ветер,Россия,8482.10,подшипники шариковые\n",
    "koi8_r": "{i},ООО Ромашка,АО Северный Ветер,Россия,8482.10,подшипники шариковые\n",
    "cp1252": "{i},Müller & Söhne GmbH,Café Société SARL,France,0901.21,Café – 1 200 € “premium”\n",
    "latin_1": "{i},Müller & Söhne GmbH,Señor López SL,España,0901.21,Café tostado\n",
    "cp1250": "{i},Łódź Przemysł Sp. z o.o.,Žilina Strojárne s.r.o.,Slovensko,8482.10,Łożyska\n",
    "cp1254": "{i},İstanbul Lojistik Ltd. Şti.,Ankara Dış Ticaret A.Ş.,Türkiye,7304.19,Çelik\n",
}
_WORD = re.compile(r"[^\W\d_]+")


def previous(sample: bytes) -> str:
    """The heuristic the detection replaced, for the files that are not UTF-8."""
    words = _WORD.findall(sample.decode("cp1251", errors="replace"))
    high = [w for w in words if not w.isascii()]
    if not high:
        return "latin-1"
    cyrillic = sum(1 for w in high if all("\u0400" <= ch <= "\u04ff" for ch in w))
    return "cp1251" if cyrillic / len(high) > 0.5 else "latin-1"


def files(rows: int) -> dict[str, tuple[str, bytes]]:
    out = {}
    for encoding, row in ROWS.items():
        text = HEADER + "".join(row.format(i=i) for i in range(rows))
        out[encoding] = (text, text.encode(encoding))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, nargs="+", default=[2, 2000])
    args = parser.parse_args()
    report: dict[str, object] = {}
    for rows in args.rows:
        right = {"detect": 0, "previous": 0}
        per: dict[str, dict[str, object]] = {}
        times: list[float] = []
        for encoding, (text, data) in files(rows).items():
            sample = data[:SAMPLE_BYTES]
            found = detect(sample)
            old = previous(sample)
            ok_new = data.decode(found.encoding, errors="replace") == text
            ok_old = data.decode(old, errors="replace") == text
            right["detect"] += ok_new
            right["previous"] += ok_old
            for _ in range(args.runs):
                start = time.perf_counter()
                detect(sample)
                times.append(time.perf_counter() - start)
            per[encoding] = {
                "detect": found.encoding,
                "confidence": found.confidence,
                "right": ok_new,
                "previous": codecs.lookup(old).name,
                "previous_right": ok_old,
            }
        report[f"{rows}_rows"] = {
            "files": len(per),
            "read_right": right,
            "median_ms": round(1000 * statistics.median(times), 2),
            "per_encoding": per,
        }
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

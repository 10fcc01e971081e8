"""Sample data of the points and on-site cycles (seeds 003 and 004): the 基层单位 registry, 积分记录, 千分制 cards
of several years, and each year's 现场点评 with its questionnaires and findings."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from schemas.datasets import DATASETS, ORG_TYPES, POINT_ITEMS, Dataset
from schemas.policy import PointSystem
from tasks.sample.files import bad_row_count, spoil, write_csv, write_xlsx
from tasks.sample.names import GENERIC_DISTRICTS, HOME_CITY, HOME_DISTRICTS, PROVINCE_CITIES, STREETS
from tasks.sample.registry import Scale, rng_for

# Mean 基层单位 per type in a rural county and in an urban district (seed 003: 53 villages, 102 communities).
ORGS_PER_REGION = {"rural": (60, 8, 10, 40, 15), "urban": (2, 35, 15, 50, 20)}
VILLAGE_PARTS = ("东西南北大小上下新老石塘溪", "岙湾桥塘山溪林庄岭坑头浦")
TOWN_PARTS = ("大溪", "城北", "新河", "泽国", "松门", "箬横", "石塘", "滨海", "坞根", "温峤")
ORG_NAMES = {
    "新社会组织": ("个体劳动者协会", "社会工作服务中心", "志愿者协会", "物业管理行业协会", "律师事务所", "民办幼儿园"),
    "非公企业": ("机械", "鞋业", "水泵", "塑料", "汽配", "服饰", "电子科技", "食品"),
    "事业单位": ("中心小学", "卫生院", "农业技术推广站", "文化站", "中学"),
}
FIRM_WORDS = "华宏鑫恒泰盛达丰源联锦隆"
ITEM_SHARES = (0.3, 0.1, 0.12, 0.1, 0.08, 0.05, 0.08, 0.12, 0.05)  # by POINT_ITEMS
EVIDENCE = ("签到表及活动照片", "服务对象签字确认", "社区党组织记实台账", "活动简报", "受助群众回访记录")
CARD_ITEMS = (("党建工作", 200), ("经济发展", 200), ("社会稳定", 150), ("为民服务", 150), ("村务公开", 100),
              ("精神文明建设", 100), ("廉洁自律", 100))
# Seed 004's four-part report: (kind, id code, title, text); {r} is the region, {n} a number.
FINDINGS = (
    ("特色做法", "TS", "推行共产党员“亮身份、争优秀、作表率”活动",
     "对全{r}共产党员集中亮明身份,党员家门口亮出“共产党员户”标志,非公企业党员在岗位亮出“共产党员岗”标志,接受群众监督。"),
    ("特色做法", "TS", "完善党员志愿者服务机制",
     "依托各级党员服务中心(站点)组建党员志愿者服务队{n}支,完善注册、记实、激励、培训等制度,实行志愿服务积分制管理。"),
    ("特色做法", "TS", "深化党内“全程关爱、全程记实”工作机制",
     "制定政治关爱、精神关爱、生活关爱、事业关爱等保障措施,建立党内关爱基金{n}个,对党内关爱工作即时登记、跟踪服务。"),
    ("特色做法", "TS", "实行镇街道机关干部夜访制度",
     "采取入户话家常、村头听民情和召开民情恳谈会等形式,畅通群众诉求,解决驻村干部与群众沟通不多的问题。"),
    ("特色做法", "TS", "完善党代表工作室",
     "已建立党代表工作室{n}个,定期开展党代表接待和调研活动,较好发挥党代表议政作用。"),
    ("存在问题", "WT", "活动氛围有待进一步营造",
     "部分党员参与活动的主动性、积极性不够高;一些单位只在党员内部搞活动,吸收群众参与面不广,群众的知晓度还须加强。"),
    ("存在问题", "WT", "需进一步注重工作的平衡发展",
     "个别基层点动员部署、制定方案相对较缓慢;非公企业党员岗位、农村党员家门口“亮身份”不够理想;“亮诺”内容比较原则。"),
    ("存在问题", "WT", "与中心工作的结合需进一步加强",
     "个别单位对上级决策部署领会不够,联系实际不够紧密,活动开展与中心工作有“两张皮”的现象。"),
    ("工作建议", "JY", "要抓好工作结合",
     "把开展活动与推进本地区、本单位科学发展紧密结合起来,围绕中心任务设计载体,防止活动和工作“两张皮”。"),
    ("工作建议", "JY", "要狠抓工作落实",
     "把活动作为党组织书记年度述职考核的重点内容,当前重点抓好承诺、亮诺、践诺,接受党员群众评诺。"),
    ("工作建议", "JY", "要营造活动氛围",
     "在村、社区、非公企业等基层组织中抓好思想再发动,加强宣传,切实提高{r}群众的参与度、知晓率和满意度。"),
)
# Answer shares by respondent type: 知晓, 参与, (满意, 基本满意); seed 004: members know, the public less so.
ANSWER_SHARES = {"党员": (0.95, 0.85, (0.62, 0.30)), "群众": (0.72, 0.38, (0.45, 0.37))}
FIRST_TEAM = 6  # the province's teams 6–13 review the home city, so team 13 reviews its last region (seed 004)


def write_points_and_on_site(out: Path, units: pd.DataFrame, config: Scale, seed: int, year: int,
                             years: int) -> dict[str, int]:
    """Write the 基层单位 registry, each year's 积分记录 and 现场点评, and 千分制 cards of at least four years."""
    regions = _regions(config)
    orgs = sample_organisations(regions, config, seed)
    area = HOME_CITY if config.cities == 1 else "全省"
    # Like the other registries, the roster does not depend on the year: it is spoiled as of one fixed year.
    counts = _deliver(out, "organisations_名册.xlsx", "organisations", orgs, rng_for(seed, "spoil", "orgs"), 2026,
                      spare=orgs["spare"].to_numpy(), title=f"{area}基层单位名册")
    real = units[~units["spare"]]
    first = year - years + 1
    for each in range(first, year + 1):
        reviews = sample_site_reviews(regions, seed, each)
        visited = reviews[~reviews["spare"]]
        counts |= _deliver(out, f"site_reviews_{each}_现场点评安排.xlsx", "site_reviews", reviews,
                           rng_for(seed, "spoil", "site_reviews", each), each, spare=reviews["spare"].to_numpy())
        for name, dataset, frame in (
            (f"point_events_{each}_积分记录.csv", "point_events", sample_point_events(real, seed, each)),
            (f"site_questionnaires_{each}_现场点评问卷.csv", "site_questionnaires",
             sample_questionnaires(visited, seed, each, thin=each == year)),
            (f"site_findings_{each}_现场点评意见.xlsx", "site_findings", sample_findings(visited, seed, each)),
        ):
            counts |= _deliver(out, name, dataset, frame, rng_for(seed, "spoil", dataset, each), each)
    cards = sample_scorecards(real, seed, min(first, year - 3), year)
    return counts | _deliver(out, f"scorecards_{year}_村社区干部千分制考核.csv", "scorecards", cards,
                             rng_for(seed, "spoil", "scorecards"), year, spoiling=_spoiling_scorecards())


def _deliver(out: Path, file_name: str, name: str, frame: pd.DataFrame, rng: np.random.Generator, year: int,
             spare: np.ndarray | None = None, title: str | None = None, spoiling=None) -> dict[str, int]:
    """`frame` with a few bad rows, written as Excel under a title row or as a GB18030 CSV; rows per file name."""
    dataset = DATASETS[name]
    frame = spoil(frame, spoiling or dataset, rng, year, spare)
    if file_name.endswith(".xlsx"):
        return {file_name: write_xlsx(out / file_name, frame, dataset, title or f"{year}年{dataset.label}")}
    return {file_name: write_csv(out / file_name, frame, dataset, "gb18030", chinese=True)}


def _spoiling_scorecards() -> Dataset:
    # A 满分 written as 120 is still in range: the out-of-range slip goes to 得分, as a clerk's typo would.
    dataset = DATASETS["scorecards"]
    return replace(dataset, columns=tuple(sorted(dataset.columns, key=lambda c: c.name == "max_points")))


def _regions(config: Scale) -> pd.DataFrame:
    names = [(d if config.cities == 1 else f"{city}{d}", d.endswith(("县", "市")))
             for city in PROVINCE_CITIES[: config.cities]
             for d in (HOME_DISTRICTS if city == HOME_CITY else GENERIC_DISTRICTS)]
    return pd.DataFrame(names, columns=["region", "rural"])


def _pick(rng: np.random.Generator, options, n: int) -> np.ndarray:
    return np.array(list(options), dtype=object)[rng.integers(0, len(options), n)]


def _org_names(rng: np.random.Generator, kind: np.ndarray, town: np.ndarray) -> np.ndarray:
    n = len(kind)
    village = _pick(rng, VILLAGE_PARTS[0], n) + _pick(rng, VILLAGE_PARTS[1], n) + "村"
    community = _pick(rng, STREETS, n) + _pick(rng, ("东", "西", "南", "北", "新村", "花园"), n) + "社区"
    firm = _pick(rng, FIRM_WORDS, n) + _pick(rng, FIRM_WORDS, n) + _pick(rng, ORG_NAMES["非公企业"], n) + "有限公司"
    other = {k: town + _pick(rng, ORG_NAMES[k], n) for k in ("新社会组织", "事业单位")}
    return np.select([kind == "村", kind == "社区", kind == "非公企业", kind == "新社会组织"],
                     [town + village, community, town + firm, other["新社会组织"]], other["事业单位"])


def sample_organisations(regions: pd.DataFrame, config: Scale, seed: int) -> pd.DataFrame:
    """基层单位名册: villages mostly in counties, communities in districts, firms, new social organisations and
    public institutions in both; a small sample leaves some types short of the review's quota."""
    rng = rng_for(seed, "organisations", config.name)
    factor = max(0.15, config.units_per_city / 1_200)
    means = np.array([ORGS_PER_REGION["rural" if r else "urban"] for r in regions["rural"]]) * factor
    per_cell = rng.poisson(means)
    region_at = np.repeat(np.repeat(np.arange(len(regions)), len(ORG_TYPES)), per_cell.ravel())
    kind = np.repeat(np.tile(np.array(ORG_TYPES, dtype=object), len(regions)), per_cell.ravel())
    towns = _pick(rng, TOWN_PARTS, len(region_at)) + np.where(regions["rural"].to_numpy()[region_at], "镇", "街道")
    orgs = pd.DataFrame({"name": _org_names(rng, kind, towns), "org_type": kind,
                         "region": regions["region"].to_numpy()[region_at], "township": towns})
    spare = max(2, bad_row_count(len(orgs)))
    orgs = pd.concat([orgs, orgs.sample(spare, random_state=rng.integers(2**31))], ignore_index=True)
    orgs.insert(0, "org_id", [f"O{i:06d}" for i in range(1, len(orgs) + 1)])
    orgs["spare"] = orgs.index >= len(orgs) - spare
    return orgs


def sample_point_events(real: pd.DataFrame, seed: int, year: int) -> pd.DataFrame:
    """积分记录 of a year: activists and volunteer members of each unit earn points item by item; the diligent
    reach the caps, and a few events lack an approval or a 分值."""
    people = rng_for(seed, "point-people")
    per_unit = people.poisson(3, len(real))
    unit_at = np.repeat(np.arange(len(real)), per_unit)
    serial = np.arange(len(unit_at)) - np.repeat(np.cumsum(per_unit) - per_unit, per_unit) + 1
    person = real["unit_id"].to_numpy()[unit_at] + "-P" + pd.Series(serial).astype("str").str.zfill(2).to_numpy()
    diligence = people.gamma(2.0, 1.0, len(unit_at))
    rng = rng_for(seed, "point-events", year)
    at = np.repeat(np.arange(len(unit_at)), rng.poisson(6 * diligence))
    n = len(at)
    item = np.array(POINT_ITEMS, dtype=object)[rng.choice(len(POINT_ITEMS), n, p=ITEM_SHARES)]
    standard = pd.Series(item).map({k: r.points for k, r in PointSystem().items.items()}).to_numpy()
    # Volunteer service is scored by the hour, so one turn may be worth two or three times the standard.
    points = np.where(item == "志愿服务", standard * rng.choice([1, 2, 3], n, p=[0.5, 0.3, 0.2]), standard)
    dates = np.datetime64(f"{year}-01-01") + rng.integers(0, 365, n).astype("timedelta64[D]")
    branch = real["unit_name"].to_numpy()[unit_at[at]] + "党支部"
    # Ids run in date order, as an office numbers its ledger.
    order = np.argsort(dates, kind="stable")
    return pd.DataFrame({
        "event_id": [f"JF{year}{i:06d}" for i in range(1, n + 1)],
        "person_id": person[at][order], "unit_id": real["unit_id"].to_numpy()[unit_at[at]][order],
        "date": dates[order], "item": item[order],
        "points": np.where(rng.random(n) < 0.15, np.nan, points)[order],
        "evidence": _pick(rng, EVIDENCE, n),
        "approved_by": np.where(rng.random(n) < 0.04, None, branch)[order],
    })


def sample_scorecards(real: pd.DataFrame, seed: int, first: int, last: int) -> pd.DataFrame:
    """千分制 cards of village and community cadres, `first`–`last`: a steady few are 优秀 year after year, one of
    them without a card in the year before `last`; some cards carry an item over its 满分 or miss an item."""
    rng = rng_for(seed, "cadres")
    cadres = max(12, len(real) // 2)
    quality = rng.normal(0, 1, cadres)
    best = np.argsort(-quality)[:2]
    quality[best] = 3.0  # the two best are 优秀 every year
    unit = real["unit_id"].to_numpy()[rng.integers(0, len(real), cadres)]
    years = np.arange(first, last + 1)
    who, year = np.repeat(np.arange(cadres), len(years)), np.tile(years, cadres)
    steady = np.isin(who, best)
    # A few cards a year are missing (a cadre newly in office); one of the steady two misses the year before last.
    kept = ((rng.random(len(who)) > 0.03) | steady) & ~((who == best[1]) & (year == last - 1))
    who, year, steady = who[kept], year[kept], steady[kept]
    score = np.clip(840 + 45 * quality[who] + rng.normal(0, 25, len(who)), 450, 990)
    top = np.array([t for _, t in CARD_ITEMS], dtype=float)
    share = np.clip(score[:, None] / 1000 + rng.normal(0, 0.03, (len(who), len(top))), 0.3, 1.0)
    cards = pd.DataFrame({
        "year": np.repeat(year, len(top)), "person_id": np.repeat([f"GB{i + 1:05d}" for i in who], len(top)),
        "unit_id": np.repeat(unit[who], len(top)), "item": np.tile([i for i, _ in CARD_ITEMS], len(who)),
        "max_points": np.tile(top, len(who)), "points": (np.round(share * top * 2) / 2).ravel(),
    })
    slips = rng.choice(np.flatnonzero(~steady), max(2, len(who) // 200), replace=False) * len(top)
    cards.loc[slips[::2], "points"] = cards.loc[slips[::2], "max_points"] + 5  # an item over its 满分
    return cards.drop(index=slips[1::2] + len(top) - 1).reset_index(drop=True)  # a card missing 廉洁自律


def _chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    text = digits[hundreds] + "百" if hundreds else ""
    text += ("" if tens == 1 and not hundreds else digits[tens]) + "十" if tens else ("零" if hundreds and ones else "")
    return text + (digits[ones] if ones else "")


def sample_site_reviews(regions: pd.DataFrame, seed: int, year: int) -> pd.DataFrame:
    """现场点评 of a year: one team per region for four days in mid-September (seed 004: 9月14日至17日),
    plus two rows a clerk got wrong."""
    rng = rng_for(seed, "site-reviews", year)
    teams = np.arange(FIRST_TEAM, FIRST_TEAM + len(regions) + 2)
    start = np.datetime64(f"{year}-09-14") + rng.integers(-3, 4, len(teams)).astype("timedelta64[D]")
    return pd.DataFrame({
        "review_id": [f"{year}-R{t:02d}" for t in teams], "team": [f"现场点评第{_chinese_number(t)}组" for t in teams],
        "region": np.r_[regions["region"].to_numpy(), _pick(rng, regions["region"], 2)],
        "started_on": start, "ended_on": start + np.timedelta64(3, "D"), "spare": teams >= FIRST_TEAM + len(regions),
    })


def sample_questionnaires(reviews: pd.DataFrame, seed: int, year: int, thin: bool) -> pd.DataFrame:
    """现场点评问卷: 100 党员 and 100 群众 per review (seed 004), three questions each; when `thin`, the first review
    got only four 群众 questionnaires back, too few to show their figures."""
    rng = rng_for(seed, "questionnaires", year)
    frames = []
    for kind, (aware, took_part, (satisfied, fairly)) in ANSWER_SHARES.items():
        count = np.full(len(reviews), 100)
        count[0] = 4 if thin and kind == "群众" else 100
        review = np.repeat(reviews["review_id"].to_numpy(), count)
        number = np.arange(len(review)) - np.repeat(np.cumsum(count) - count, count) + 1
        lean = np.repeat(rng.uniform(-0.05, 0.05, len(reviews)), count)
        draw = rng.random((3, len(review)))
        frames.append(pd.DataFrame({
            "review_id": np.repeat(review, 3),
            "respondent_id": np.repeat(("DY" if kind == "党员" else "QZ") + pd.Series(number).astype("str")
                                       .str.zfill(3).to_numpy(), 3),
            "respondent_type": kind, "question": np.tile(["知晓情况", "参与情况", "满意程度"], len(review)),
            "answer": np.stack([np.where(draw[0] < aware + lean, "知道", "不知道"),
                                np.where(draw[1] < took_part + lean, "参加过", "没参加过"),
                                np.select([draw[2] < satisfied + lean, draw[2] < satisfied + fairly + lean],
                                          ["满意", "基本满意"], "不满意")], axis=1).ravel(),
        }))
    return pd.concat(frames, ignore_index=True)


def sample_findings(reviews: pd.DataFrame, seed: int, year: int) -> pd.DataFrame:
    """现场点评意见 in seed 004's form: 特色做法, 存在问题 and 工作建议 of each review; team 13 reports all of them."""
    rng = rng_for(seed, "findings", year)
    bank = pd.DataFrame(FINDINGS, columns=["kind", "code", "title", "text"])
    chosen = rng.random((len(reviews), len(bank))) < 0.7
    chosen[reviews["review_id"].str.endswith("-R13").to_numpy()] = True
    review_at, finding_at = np.nonzero(chosen)
    rows = bank.iloc[finding_at].reset_index(drop=True)
    rows.insert(0, "review_id", reviews["review_id"].to_numpy()[review_at])
    number = rows.groupby(["review_id", "code"]).cumcount() + 1
    rows.insert(1, "finding_id", rows["review_id"] + "-" + rows["code"] + number.astype("str"))
    region = reviews["region"].to_numpy()[review_at]
    counts = rng.integers(5, 40, len(rows)).astype(str)
    rows["text"] = [t.replace("{r}", r).replace("{n}", n) for t, r, n in zip(rows["text"], region, counts)]
    return rows.drop(columns="code")

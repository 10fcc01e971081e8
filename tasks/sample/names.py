"""Name material of the sample city: districts, departments, people and phrase lists for generated records."""

from __future__ import annotations

import numpy as np
import pandas as pd

HOME_CITY = "江城市"
HOME_DISTRICTS = ("城关区", "江北区", "江南区", "新城区", "高新区", "临江县", "青山县", "石门市")
CITY_LEVEL_REGION = "市直"
PROVINCE_CITIES = (
    "江城市", "云州市", "临川市", "安平市", "白河市", "东阳市", "西岭市", "南浦市", "北塘市", "清源市",
    "红山市", "金沙市", "玉泉市", "长宁市", "永安市", "平湖市", "丰城市", "瑞昌市", "松原市", "海阳市",
)
GENERIC_DISTRICTS = ("城关区", "东城区", "西城区", "城南区", "河东区", "经济开发区", "平安县", "龙泉县", "兴隆县")

# Departments that serve enterprises and the public directly; "{r}" is the region prefix.
GOVERNMENT = (
    "市场监督管理局", "人力资源和社会保障局", "公安局", "自然资源局", "住房和城乡建设局", "交通运输局",
    "卫生健康局", "教育局", "民政局", "司法局", "财政局", "生态环境局", "农业农村局", "水务局",
    "城市管理综合行政执法局", "行政审批局", "医疗保障局", "退役军人事务局", "应急管理局",
    "文化广电和旅游局", "商务局", "发展和改革局", "工业和信息化局", "林业和草原局", "统计局",
)
GOVERNMENT_WINDOWS = (
    "{r}政务服务中心", "{r}不动产登记中心", "{r}公共资源交易中心", "{r}住房公积金管理中心",
    "{r}社会保险事业服务中心", "{r}医疗保障服务中心", "{r}公安局交通警察大队车辆管理所",
    "{r}公安局出入境管理大队", "{r}人民医院", "{r}中医院", "{r}妇幼保健院", "{r}疾病预防控制中心",
    "{r}就业服务中心", "{r}市场监督管理局登记注册窗口", "{r}人力资源和社会保障局劳动保障监察大队",
    "{r}12345政务服务便民热线受理中心", "{r}供水有限公司营业厅", "{r}燃气有限公司营业厅",
    "{r}公共交通有限公司", "{r}殡葬管理所", "{r}婚姻登记处", "{r}法律援助中心",
)
STREETS = ("解放路", "人民路", "滨江路", "建设路", "和平街", "胜利街", "新华路", "中山路", "东风路", "文化路",
           "光明街", "朝阳路")
PARTY_MASS = (
    "总工会", "团委", "妇女联合会", "科学技术协会", "工商业联合会", "残疾人联合会", "红十字会",
    "委组织部", "委宣传部", "委统战部", "委政法委员会", "纪委监委信访室", "档案馆", "委老干部局",
    "文学艺术界联合会", "归国华侨联合会",
)
CENTRAL_PROVINCIAL = (
    "国家税务总局{c}{d}税务局", "国家税务总局{c}{d}税务局第一税务所", "{cs}供电公司{d}营业厅",
    "中国邮政集团有限公司{c}{d}分公司", "中国工商银行{c}{d}支行", "中国农业银行{c}{d}支行",
    "中国银行{c}{d}支行", "中国建设银行{c}{d}支行", "中国移动{c}{d}营业厅", "中国联通{c}{d}营业厅",
    "中国电信{c}{d}营业厅", "{c}{d}烟草专卖局", "{c}{d}气象局", "国家统计局{c}{d}调查队",
    "中国人民财产保险股份有限公司{c}{d}支公司", "国家金融监督管理总局{c}{d}监管组",
)
PARTY_BODY = ("党支部", "党总支", "机关党委", "党委")
SUPERIOR_EVALUATORS = (
    "市委组织部", "市直机关工委", "市政府办公室", "市纪委监委", "市委督查室", "市发展和改革委员会",
    "市政务服务管理局", "市委宣传部",
)
SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN_CHARS = tuple("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国志红文斌林宁新海峰云燕春晓东亮鹏飞慧波凤晨宇浩然俊丹瑞欣琳雪梅正德永红立群")

SERVICES = ("营业执照办理", "社保登记", "不动产登记", "户籍办理", "医保报销", "企业开办", "建设工程审批",
            "纳税申报", "用电报装", "公积金提取", "婚姻登记", "就业失业登记", "车辆登记", "食品经营许可",
            "养老保险待遇核定", "低保申请", "法律援助申请", "出入境证件办理")
PRACTICES = ("一次性告知", "首问负责", "限时办结", "预约服务", "延时服务", "上门服务", "帮办代办",
             "容缺受理", "“最多跑一次”", "“一网通办”", "全程代办", "节假日轮岗值班", "“好差评”回访")
COMMIT_VERBS = ("推行", "落实", "全面实行", "深化", "坚持")
MEASURES = (
    "设立党员先锋岗,安排党员骨干轮流值守", "每月开展一次业务培训和岗位练兵", "在大厅和网站公开办事流程、时限和收费标准",
    "建立承诺事项台账,每周督办一次", "开通绿色通道,对重点项目实行专人跟踪服务", "推行午间和周末预约延时服务",
    "开展“党员进企业、进社区”政策宣讲", "聘请社会监督员,每季度召开一次评议座谈会", "实行AB岗工作制,确保窗口不断档",
    "精简申请材料,推行电子证照互认", "设立意见箱和监督电话,投诉件三日内答复", "组织党员开展“结对帮扶”志愿服务",
)
EVIDENCE_DONE = ("已按期完成,台账资料齐全", "群众回访满意,已报党组织审核", "办理时限已压缩到位,系统数据可查",
                 "已通过专项督查验收", "服务对象评价良好,相关制度已印发")
EVIDENCE_PENDING = ("正在按计划推进", "已完成阶段性任务", "相关制度正在起草", "系统改造正在实施")
EVIDENCE_ADJUSTED = ("因上级政策调整,经党组织审核同意调整承诺内容", "因职能划转,经审核同意调整完成时限")
EVIDENCE_FAILED = ("未按期完成,已责令说明原因", "进度严重滞后,已约谈相关负责人")


def person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """Realistic Chinese personal names: a common surname and one or two given characters."""
    weights = 1.0 / np.arange(1, len(SURNAMES) + 1) ** 0.8
    surnames = rng.choice(np.array(SURNAMES), n, p=weights / weights.sum())
    first = rng.choice(np.array(GIVEN_CHARS), n)
    second = np.where(rng.random(n) < 0.7, rng.choice(np.array(GIVEN_CHARS), n), "")
    return (pd.Series(surnames) + pd.Series(first) + pd.Series(second)).to_numpy(dtype=object)


def _city_stem(city: str) -> str:
    return city.removesuffix("市")


def region_unit_pool(city: str, district: str | None, qualify: bool) -> pd.DataFrame:
    """Every plausible window unit of one region (district None: the city-level 市直 units), with its category.

    `qualify` prefixes district units with the city name, as a provincial roster must to keep names apart.
    """
    prefix = city if district is None else (city + district if qualify else district)
    government = ([prefix + d for d in GOVERNMENT] + [f"{prefix}{d}政务服务窗口" for d in GOVERNMENT]
                  + [t.format(r=prefix) for t in GOVERNMENT_WINDOWS])
    if district is not None:
        government += [f"{prefix}公安局{s}派出所" for s in STREETS]
        government += [f"{prefix}{s}街道便民服务中心" for s in STREETS]
        government += [f"{prefix}{s}社区卫生服务中心" for s in STREETS]
    party = [prefix + b for b in PARTY_MASS]
    central = [t.format(c=city, d=district or "", cs=_city_stem(city)) for t in CENTRAL_PROVINCIAL]
    categories = ["政府涉企涉民部门"] * len(government) + ["党群部门"] * len(party) + ["中央省驻单位"] * len(central)
    return pd.DataFrame({"unit_name": government + party + central, "category": categories})

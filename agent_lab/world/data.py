"""The simulated world's catalogues: cities, contacts, Hema products, recipes, fire-alarm images,
repositories, web pages, unit factors (written for this course).

Introduced in notebook 02 (`02_agent_prompt_templates`). The tool schemas are in
`agent_lab.world.schemas`; logic lives in `agent_lab.world.tools`.
"""

from __future__ import annotations

CITY_NAMES = {
    "Beijing": "北京",
    "Shanghai": "上海",
    "Hangzhou": "杭州",
    "Guangzhou": "广州",
    "Shenzhen": "深圳",
    "Chengdu": "成都",
    "Wuhan": "武汉",
    "Nanjing": "南京",
    "Xi'an": "西安",
    "Chongqing": "重庆",
}
CATEGORY_NAMES = {
    "phone": "手机",
    "milk": "牛奶",
    "fruit": "水果",
    "fish": "海鲜水产",
}  # Hema's categories are Chinese

CONTACTS = {  # each team's first alias is its Chinese name (queries.TEAMS)
    "search product team": {
        "aliases": ["搜索产品部", "search team", "search product"],
        "members": ["li.na@example.com", "wang.wei@example.com", "zhao.lei@example.com"],
    },
    "data platform team": {
        "aliases": ["数据平台部", "data team"],
        "members": ["chen.jie@example.com", "liu.yang@example.com"],
    },
    "marketing team": {
        "aliases": ["市场部", "marketing"],
        "members": ["sun.li@example.com", "zhou.min@example.com"],
    },
}

PRODUCTS = [
    {
        "sku_code": "10518244314",
        "product_name": "小米11 Ultra 5G手机 256GB",
        "category": "手机",
        "tags": ["拍照", "phone", "camera"],
        "product_price": "5999",
        "product_description": "120Hz高刷新率, 骁龙888, 高品质相机系统",
        "properties": {"拍照性能": "1亿像素主摄, 120X超长焦", "电池": "5000mAh"},
        "promotion": "满5000减300",
    },
    {
        "sku_code": "10222726664",
        "product_name": "vivo X60 Pro 5G手机 256GB",
        "category": "手机",
        "tags": ["拍照", "phone"],
        "product_price": "4498",
        "product_description": "蔡司联合调校相机, 拍照实力十足",
        "properties": {"拍照性能": "蔡司光学镜头, 微云台防抖", "电池": "4200mAh"},
        "promotion": "赠保护壳",
    },
    {
        "sku_code": "18227073452",
        "product_name": "华为畅享 20 Pro 5G手机 128GB",
        "category": "手机",
        "tags": ["phone", "电池"],
        "product_price": "2699",
        "product_description": "4000mAh电池, 价格亲民",
        "properties": {"拍照性能": "4800万像素三摄", "电池": "4000mAh"},
        "promotion": "以旧换新补贴200",
    },
    {
        "sku_code": "20311870021",
        "product_name": "盒马鲜牛奶 950ml",
        "category": "牛奶",
        "tags": ["早餐", "milk", "乳制品"],
        "product_price": "15.9",
        "product_description": "当日鲜, 巴氏杀菌",
        "properties": {"保质期": "7天", "产地": "上海"},
        "promotion": "第二件半价",
    },
    {
        "sku_code": "20311870088",
        "product_name": "有机酸奶 4杯装",
        "category": "牛奶",
        "tags": ["早餐", "yogurt", "乳制品"],
        "product_price": "19.9",
        "product_description": "有机奶源, 无添加",
        "properties": {"保质期": "21天", "产地": "内蒙古"},
        "promotion": "无",
    },
    {
        "sku_code": "30877120045",
        "product_name": "智利车厘子 1kg",
        "category": "水果",
        "tags": ["fruit", "新鲜", "车厘子"],
        "product_price": "89",
        "product_description": "JJ级, 空运直达",
        "properties": {"产地": "智利", "规格": "JJ级"},
        "promotion": "会员价79",
    },
    {
        "sku_code": "30877120102",
        "product_name": "海南香蕉 1.5kg",
        "category": "水果",
        "tags": ["fruit", "新鲜"],
        "product_price": "12.9",
        "product_description": "自然熟, 香甜软糯",
        "properties": {"产地": "海南", "规格": "1.5kg"},
        "promotion": "无",
    },
    {
        "sku_code": "40566231190",
        "product_name": "西湖草鱼 1条",
        "category": "海鲜水产",
        "tags": ["fish", "鱼", "醋鱼"],
        "product_price": "36",
        "product_description": "鲜活现杀, 适合做西湖醋鱼",
        "properties": {"产地": "浙江", "重量": "约1kg"},
        "promotion": "满99减10",
    },
]

RECIPES = [
    {"name": "西湖醋鱼", "ingredients": ["草鱼", "鱼", "醋", "姜"], "minutes": 30},
    {"name": "番茄炒蛋", "ingredients": ["番茄", "鸡蛋", "tomato", "egg"], "minutes": 10},
    {
        "name": "水果酸奶杯",
        "ingredients": ["酸奶", "香蕉", "车厘子", "fruit", "yogurt"],
        "minutes": 5,
    },
    {"name": "红烧肉", "ingredients": ["五花肉", "pork", "酱油"], "minutes": 90},
]

FIRE_IMAGES = {
    "camera_lobby.jpg": True,
    "camera_kitchen.jpg": False,
    "camera_garage.jpg": True,
    "camera_office.jpg": False,
}

REPOSITORIES = {
    "demo2_jenkinsfile": {"message": "Add deploy stage", "author": "ops-bot"},
    "agent-tuning-lab": {"message": "Fix observation masking", "author": "li.na"},
    "weather-service": {"message": "Bump API version", "author": "wang.wei"},
}

WEB_PAGES = [
    {
        "title": "Shanghai Metro news",
        "url": "https://example.com/metro",
        "text": "Shanghai metro opens new line extension and extends late night service "
        "on weekends",
    },
    {
        "title": "AI news weekly",
        "url": "https://example.com/ai",
        "text": "Latest artificial intelligence news: small language models learn to call tools "
        "through agent tuning",
    },
    {
        "title": "2022 World Cup",
        "url": "https://example.com/worldcup",
        "text": "Argentina won the 2022 World Cup final against France on penalties",
    },
    {
        "title": "Palace Museum visitor guide",
        "url": "https://example.com/palace",
        "text": "The Palace Museum opening hours are 08:30 to 17:00 and it is closed on Mondays",
    },
    {
        "title": "Xiaomi phone review",
        "url": "https://example.com/xiaomi",
        "text": "Review of the new Xiaomi phone: excellent camera, fast charging, bright screen",
    },
]

# unit -> (dimension, factor to the base unit); temperatures are handled by name
UNIT_FACTORS = {
    "m": ("length", 1.0),
    "km": ("length", 1000.0),
    "cm": ("length", 0.01),
    "mile": ("length", 1609.344),
    "ft": ("length", 0.3048),
    "inch": ("length", 0.0254),
    "kg": ("mass", 1.0),
    "g": ("mass", 0.001),
    "lb": ("mass", 0.45359237),
    "jin": ("mass", 0.5),
    "c": ("temperature", "c"),
    "f": ("temperature", "f"),
    "k": ("temperature", "k"),
}


def canonical_name(text: str) -> str:
    """One spelling for a city, team or product category named in either language, else `text`
    unchanged.

    Tools accept names in the user's words ("杭州" or "Hangzhou", "市场部" or "marketing team"),
    the way they accept "this Friday" for a date; the world and the scorer compare these canonical
    spellings.
    """
    key = " ".join(str(text).split()).casefold()
    return _ALIASES.get(key, str(text))


_ALIASES = {
    **{zh: en for en, zh in CITY_NAMES.items()},
    **{en.casefold(): en for en in CITY_NAMES},
    **{en: zh for en, zh in CATEGORY_NAMES.items()},
    **{alias.casefold(): team for team, c in CONTACTS.items() for alias in (team, *c["aliases"])},
}

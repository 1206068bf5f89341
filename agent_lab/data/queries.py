"""Task generation: every tool and intent, paraphrase families, slot values, multi-step, recovery,
hard negatives.

Introduced in notebook 04 (`04_building_training_data`).

An *intent* is what the user wants (weather now, book the cheapest flight, ...). Each intent has
several *paraphrase families*: query templates in English or Chinese with `{slots}`. A task is one
family filled with sampled slot values. Positives need tools: single-step, multi-step (free slots
-> contacts -> meeting; search -> book the cheapest; recognise fire -> alert -> fire brigade) and
recovery (the first call fails in the world, the agent reflects and recovers). Hard negatives are
on-topic but need no tool ("今天天气真好"). `generate_tasks` builds an exact positive : negative
ratio.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from agent_lab.world.data import (
    CATEGORY_NAMES,
    CITY_NAMES,
    CONTACTS,
    FIRE_IMAGES,
    PRODUCTS,
    RECIPES,
    REPOSITORIES,
    WEB_PAGES,
)

CITIES = list(CITY_NAMES.items())
DAYS = [
    ("today", "今天"),
    ("tomorrow", "明天"),
    ("this Wednesday", "本周三"),
    ("this Thursday", "周四"),
    ("this Friday", "周五"),
    ("next Monday", "下周一"),
    ("next Tuesday", "下周二"),
]
TEAMS = [
    (team, c["aliases"][0]) for team, c in CONTACTS.items()
]  # (English, Chinese): the first alias is the Chinese name
CATEGORIES = list(CATEGORY_NAMES.items())
UNITS = [
    ("mile", "km"),
    ("km", "mile"),
    ("lb", "kg"),
    ("kg", "lb"),
    ("f", "c"),
    ("c", "f"),
    ("jin", "kg"),
    ("ft", "m"),
]
ROOMS = [
    ("kitchen", "厨房"),
    ("lobby", "大厅"),
    ("garage", "车库"),
    ("office", "办公室"),
    ("server room", "机房"),
    ("warehouse", "仓库"),
]
FLOORS = ["first", "second", "third", "fifth", "top"]
PII = [
    " My phone is {phone}.",
    " You can email me at {email}.",
    " 我的手机号是{phone}。",
    " 身份证号{idn}。",
]

# intent -> (kind, tools the gold solution calls, families {lang: [query templates]})
INTENTS: dict[str, tuple[str, tuple[str, ...], dict[str, list[str]]]] = {
    "weather_now": (
        "single",
        ("get_weather_info",),
        {
            "en": [
                "What is the weather in {city} right now?",
                "How's the weather in {city} at the moment?",
                "Is it cold in {city} now?",
            ],
            "zh": ["{city}现在天气怎么样？", "帮我查一下{city}当前的天气。"],
        },
    ),
    "weather_day": (
        "single",
        ("get_weather_info",),
        {
            "en": [
                "What will the weather be in {city} {day}?",
                "Will it rain in {city} {day}?",
                "Give me the forecast for {city} for {day}.",
            ],
            "zh": ["{city}{day}天气怎么样？", "{day}{city}会下雨吗？"],
        },
    ),
    "free_slots": (
        "single",
        ("get_free_slots",),
        {
            "en": [
                "When am I free {day}?",
                "Show my free time slots for {day}.",
                "Do I have any free time {day}?",
            ],
            "zh": ["我{day}有空吗？", "查一下我{day}的空闲时间。"],
        },
    ),
    "team_members": (
        "single",
        ("find_contacts",),
        {
            "en": [
                "Who is on the {team}?",
                "List the members of the {team}.",
                "Who should I invite from the {team}?",
            ],
            "zh": ["{team}有哪些同事？", "帮我查一下{team}的成员。"],
        },
    ),
    "flight_search": (
        "single",
        ("search_flights",),
        {
            "en": [
                "Find flights from {city} to {city2} {day}.",
                "What flights go from {city} to {city2} {day}?",
                "Are there flights {city} to {city2} {day}?",
            ],
            "zh": ["{day}从{city}飞{city2}有哪些航班？", "帮我查{day}{city}到{city2}的航班。"],
        },
    ),
    "product_recommend": (
        "single",
        ("hm_product_recommend",),
        {
            "en": [
                "Can you recommend some {category}?",
                "What {category} do you have?",
                "I want to buy {category}, any suggestions?",
            ],
            "zh": ["推荐几款{category}。", "你们有哪些{category}可以推荐？"],
        },
    ),
    "product_info": (
        "single",
        ("hm_product_info",),
        {
            "en": [
                "What is the {prop} of {product} (sku {sku})?",
                "Tell me the {prop} of product {sku}, {product}.",
            ],
            "zh": [
                "{product}（编码{sku}）的{prop}是什么？",
                "商品{sku}（{product}）的{prop}怎么样？",
            ],
        },
    ),
    "product_marketing": (
        "single",
        ("hm_product_marketing",),
        {
            "en": [
                "Are there promotions on product {sku}?",
                "Any discount for sku {sku} right now?",
            ],
            "zh": ["商品{sku}现在有什么优惠？", "编码{sku}的商品有促销活动吗？"],
        },
    ),
    "recipe": (
        "single",
        ("hm_recipe_recommend",),
        {
            "en": [
                "What can I cook with {ingredient}?",
                "Recommend a recipe that uses {ingredient}.",
            ],
            "zh": ["用{ingredient}能做什么菜？", "推荐一个有{ingredient}的菜谱。"],
        },
    ),
    "fire_check": (
        "single",
        ("fire_recognition",),
        {
            "en": ["Is there a fire in the image {image}?", "Check {image} for fire."],
            "zh": ["帮我看看{image}这张图里有没有着火。", "{image}里有火吗？"],
        },
    ),
    "fire_alarm": (
        "single",
        ("fire_alert",),
        {
            "en": [
                "Sound the fire alarm for the building administrators.",
                "Trigger the building fire alert now.",
                "Warn the building admins, I smell smoke on the {floor} floor.",
                "Raise the fire alert, smoke in the {room}!",
            ],
            "zh": [
                "立刻启动火警警报。",
                "通知大楼管理员，拉响火警。",
                "{room}冒烟了，快发火警警报！",
            ],
        },
    ),
    "police": (
        "single",
        ("call_police",),
        {
            "en": [
                "Someone is breaking into the office, call the police!",
                "Call 110, there is a thief here.",
                "There is a stranger trying to open the door of the {room}, call the police.",
                "My bike was just stolen outside the {room}, get the police.",
            ],
            "zh": ["有小偷，快帮我报警！", "帮我打110报警。", "{room}有人撬门，快报警！"],
        },
    ),
    "fireman": (
        "single",
        ("call_fireman",),
        {
            "en": [
                "The kitchen is on fire, call the fire brigade!",
                "Call 119 right away.",
                "Flames in the {room} on the {floor} floor, call the firefighters!",
                "Get the fire brigade to the {room} now.",
            ],
            "zh": ["厨房着火了，快叫消防员！", "马上拨打119。", "{room}着火了，快打119！"],
        },
    ),
    "repo_commit": (
        "single",
        ("github_latest_commit",),
        {
            "en": [
                "What is the latest commit in {repo}?",
                "Show me the newest commit of the {repo} repository.",
            ],
            "zh": ["查一下{repo}仓库最新的提交。", "{repo}最近一次提交是什么？"],
        },
    ),
    "web": (
        "single",
        ("web_search",),
        {
            "en": ["Search the web for {topic}.", "Look up {topic} online."],
            "zh": ["帮我搜索一下{topic}。", "网上查一下{topic}。"],
        },
    ),
    "calc": (
        "single",
        ("calculator",),
        {
            "en": ["What is {expr}?", "Calculate {expr}."],
            "zh": ["帮我算一下 {expr}。", "{expr} 等于多少？"],
        },
    ),
    "convert": (
        "single",
        ("unit_convert",),
        {
            "en": [
                "Convert {value} {from_unit} to {to_unit}.",
                "How many {to_unit} is {value} {from_unit}?",
            ],
            "zh": [
                "{value} {from_unit} 等于多少 {to_unit}？",
                "把{value}{from_unit}换算成{to_unit}。",
            ],
        },
    ),
    "schedule_meeting": (
        "multi",
        ("find_contacts", "get_free_slots", "create_meeting"),
        {
            "en": [
                "Set up a one-hour meeting with the {team} at my first free time {day}.",
                "Schedule a sync with the {team} {day}, whenever I'm free.",
            ],
            "zh": [
                "请帮我约一个和{team}的需求沟通会，{day}我日历上空闲的时间都可以。",
                "{day}找个空档和{team}开个会。",
            ],
        },
    ),
    "book_cheapest": (
        "multi",
        ("search_flights", "book_flight"),
        {
            "en": [
                "Book me the cheapest flight from {city} to {city2} {day}.",
                "Get me the lowest-priced {city}-{city2} flight {day}.",
            ],
            "zh": [
                "帮我订一张{day}从{city}去{city2}最便宜的机票。",
                "{day}{city}飞{city2}，订最便宜的那班。",
            ],
        },
    ),
    "fire_emergency": (
        "multi",
        ("fire_recognition", "fire_alert", "call_fireman"),
        {
            "en": [
                "Check {image}; if there is a fire, raise the alarm and call the fire brigade.",
                "Camera {image} might show a fire. Handle it.",
            ],
            "zh": ["检查{image}，如果着火了就报警并叫消防员。", "{image}好像有火情，请处理。"],
        },
    ),
    "book_given_flight": (
        "recovery",
        ("book_flight", "search_flights"),
        {
            "en": [
                "Book flight {bad_flight} from {city} to {city2} {day}.",
                "Please reserve {bad_flight}, {city} to {city2}, {day}.",
            ],
            "zh": [
                "帮我订{day}{city}到{city2}的{bad_flight}航班。",
                "预订{bad_flight}，{day}从{city}飞{city2}。",
            ],
        },
    ),
    "meeting_at_busy_time": (
        "recovery",
        ("find_contacts", "create_meeting", "get_free_slots"),
        {
            "en": [
                "Book a one-hour {team} meeting {day} at {busy_hour}; if that time is taken, use "
                "my first free slot that day."
            ],
            "zh": ["{day} {busy_hour}和{team}开一小时会，如果那个时间被占了就用当天第一个空档。"],
        },
    ),
}

# More ways to ask for the same thing. Family 0 of every intent is held out for testing, so the
# model can only generalise to it from the others: a 135M model needs several paraphrases per intent
# to learn the intent rather than the wording (notebook 07 measured held-out accuracy with and
# without these).
MORE_PARAPHRASES: dict[str, dict[str, list[str]]] = {
    "weather_now": {
        "en": [
            "Current weather in {city}, please.",
            "Tell me how the weather is in {city} now.",
            "Is it raining in {city} right now?",
            "What's the temperature in {city} at this moment?",
        ],
        "zh": [
            "{city}此刻天气如何？",
            "告诉我{city}现在的气温和天气。",
            "{city}这会儿在下雨吗？",
            "{city}现在冷不冷？",
        ],
    },
    "weather_day": {
        "en": [
            "How is the weather going to be in {city} {day}?",
            "Check the {city} weather for {day}.",
        ],
        "zh": ["查一下{city}{day}的天气预报。", "{day}去{city}，那边天气如何？"],
    },
    "free_slots": {
        "en": ["Check my calendar for free time {day}.", "What time am I available {day}?"],
        "zh": [
            "{day}我什么时候有空？",
            "看看我{day}日历上哪些时间是空的。",
            "{day}我哪些时段没有安排？",
        ],
    },
    "team_members": {
        "en": ["Find the people in the {team}.", "Give me the contacts of the {team}."],
        "zh": ["{team}的联系人是谁？", "列出{team}的所有人。"],
    },
    "flight_search": {
        "en": [
            "Show me flights {city} to {city2} {day}.",
            "Look up {day}'s flights from {city} to {city2}.",
        ],
        "zh": ["查查{day}{city}去{city2}的飞机。", "{city}到{city2}{day}有航班吗？"],
    },
    "product_recommend": {
        "en": ["Suggest some good {category} to buy.", "Show me some {category} you sell."],
        "zh": ["我想买{category}，有什么推荐？", "给我推荐一些{category}吧。"],
    },
    "product_info": {
        "en": [
            "I need the {prop} of {product}, sku {sku}.",
            "Look up the {prop} for {product} (code {sku}).",
        ],
        "zh": ["查一下{product}（{sku}）的{prop}。", "{sku}这个商品（{product}）{prop}是多少？"],
    },
    "product_marketing": {
        "en": [
            "What deals are there for item {sku}?",
            "Check the promotion for product code {sku}.",
        ],
        "zh": [
            "{sku}这个商品打折吗？",
            "查一下商品编码{sku}的促销信息。",
            "商品{sku}有没有活动价？",
        ],
    },
    "recipe": {
        "en": [
            "Find me a dish made with {ingredient}.",
            "Any recipe ideas with {ingredient}?",
            "What dishes can I make using {ingredient}?",
            "I have some {ingredient} at home, what should I cook?",
        ],
        "zh": [
            "{ingredient}可以做哪些菜？",
            "找一个用{ingredient}做的菜谱。",
            "家里有{ingredient}，推荐个菜谱吧。",
        ],
    },
    "fire_check": {
        "en": [
            "Does {image} show any fire?",
            "Analyse {image} and tell me if something is burning.",
        ],
        "zh": ["分析一下{image}，有没有火情？", "{image}这张图片着火了吗？"],
    },
    "fire_alarm": {
        "en": [
            "Please activate the fire alarm.",
            "Alert the building managers about a fire in the {room}.",
        ],
        "zh": ["快拉响火警，通知管理员！", "{room}好像着火了，启动火警警报。"],
    },
    "police": {
        "en": [
            "Please call the police, someone is fighting in the {room}.",
            "Report a robbery to the police now.",
        ],
        "zh": ["{room}有人打架，快报警。", "请马上联系警察。"],
    },
    "fireman": {
        "en": [
            "Please call the firefighters, the {room} is burning.",
            "We need the fire department right now.",
        ],
        "zh": ["快叫消防队，{room}起火了！", "请马上通知消防员。"],
    },
    "repo_commit": {
        "en": ["Get the most recent commit of {repo}.", "Which commit is the latest in {repo}?"],
        "zh": ["{repo}的最新commit是哪个？", "帮我看看{repo}最近的提交记录。"],
    },
    "web": {
        "en": ["Find information about {topic} on the internet.", "Search online: {topic}."],
        "zh": ["在网上找找关于{topic}的信息。", "搜一下{topic}。"],
    },
    "calc": {
        "en": ["Compute {expr}.", "Work out {expr} for me."],
        "zh": ["计算 {expr}。", "请算出 {expr} 的结果。"],
    },
    "convert": {
        "en": [
            "What is {value} {from_unit} in {to_unit}?",
            "Change {value} {from_unit} into {to_unit}.",
        ],
        "zh": ["{value}{from_unit}是多少{to_unit}？", "请把{value} {from_unit}转换成{to_unit}。"],
    },
    "schedule_meeting": {
        "en": [
            "Find a free hour {day} and book a meeting with the {team}.",
            "Arrange a one-hour meeting with the {team} {day} in my first free slot.",
        ],
        "zh": [
            "{day}帮我和{team}约个一小时的会，用我最早的空闲时间。",
            "看看我{day}什么时候有空，和{team}开个一小时的讨论会。",
            "{day}安排一次和{team}的碰头会，放在我第一个空闲的时段。",
            "帮我在{day}日历的空闲时间里约{team}开会。",
        ],
    },
    "book_cheapest": {
        "en": [
            "I need the cheapest ticket from {city} to {city2} {day}, book it.",
            "Reserve the least expensive flight {city} to {city2} {day}.",
        ],
        "zh": [
            "{day}从{city}到{city2}，帮我订最便宜的航班。",
            "{day}要从{city}去{city2}，帮我买一张票价最低的机票。",
            "给我订{day}{city}到{city2}最便宜的一班飞机。",
            "我{day}去{city2}，从{city}出发，挑最便宜的航班订上。",
        ],
    },
    "fire_emergency": {
        "en": ["Look at {image}: if it shows a fire, sound the alarm and call 119."],
        "zh": [
            "看看{image}，有火的话就拉警报并打119。",
            "帮我检查一下{image}，要是着火了就通知管理员再叫消防队。",
            "{image}里可能有火，确认一下，着火就报警并联系消防员。",
        ],
    },
    "book_given_flight": {
        "en": ["I want flight {bad_flight} from {city} to {city2} {day}, please book it."],
        "zh": [
            "请帮我预订{day}{city}飞{city2}的{bad_flight}。",
            "我要订{bad_flight}，{day}{city}到{city2}的。",
            "{day}{city}去{city2}，帮我订{bad_flight}这班飞机。",
        ],
    },
    "meeting_at_busy_time": {
        "en": [
            "Put a one-hour meeting with the {team} on my calendar at {busy_hour} on {day}; "
            "if I'm busy then, take my first free slot.",
            "Meet the {team} on {day} at {busy_hour} for an hour, or at my earliest free time "
            "that day if {busy_hour} is taken.",
        ],
        "zh": [
            "安排{day} {busy_hour}和{team}开一小时的会，那时如果没空就改到当天最早的空闲时间。",
            "{day} {busy_hour}约{team}开会一小时；时间冲突的话用我那天第一个空档。",
            "帮我和{team}在{day} {busy_hour}开个一小时的会，"
            "那个点有安排的话就换到当天最早的空闲时段。",
            "{day} {busy_hour}想和{team}讨论一小时，如果我那时忙，就约在当天第一个有空的时间。",
        ],
    },
}
for _intent, _langs in MORE_PARAPHRASES.items():
    for _lang, _extra in _langs.items():
        INTENTS[_intent][2][_lang].extend(_extra)

# hard negatives: on-topic, no tool needed. (query template, reply template) families with slots.
HARD_NEGATIVES = {
    "en": [
        ("The weather in {city} is lovely today.", "It sounds lovely! Enjoy the day in {city}."),
        ("I love flying to {city} in autumn.", "Autumn is a great time to visit {city}."),
        (
            "What does a calendar app do?",
            "A calendar app keeps your events and meetings and shows when you are free.",
        ),
        (
            "Thanks, the meeting with the {team} went well!",
            "Glad to hear the meeting with the {team} went well!",
        ),
        (
            "Fire drills are important for safety.",
            "Agreed: regular drills help everyone know the way out.",
        ),
        ("Do you like {category}?", "I don't eat or drink, but many people enjoy {category}."),
        (
            "What is a commit in git?",
            "A commit is a saved snapshot of changes in a git repository, with a message and an "
            "author.",
        ),
        (
            "Why do people convert units?",
            "Because different countries and fields use different units, such as miles and "
            "kilometres.",
        ),
        (
            "Rainy days in {city} make me sleepy.",
            "Rain often has that effect. A cup of tea might help!",
        ),
        ("I just got back from {city}, what a trip!", "Welcome back! I hope you enjoyed {city}."),
        ("My {team} works really hard.", "It sounds like the {team} is very dedicated!"),
        (
            "Flights to {city} are so expensive these days.",
            "Prices do go up and down; booking early often helps.",
        ),
        ("Hello! How are you?", "Hello! I'm doing well, thanks. How can I help you today?"),
        (
            "Is {city} a good place to live?",
            "Many people enjoy living in {city}; it depends on what you look for in a city.",
        ),
        (
            "What is the difference between a meeting and a call?",
            "A meeting usually has an agenda and several people; a call is often shorter and more "
            "informal.",
        ),
        (
            "I'm nervous about flying to {city} {day}.",
            "That's understandable. Flying is very safe, and you'll be in {city} before you know "
            "it.",
        ),
        (
            "How do fire alarms work?",
            "Most fire alarms sense smoke or heat and then sound a loud signal so people can get "
            "out.",
        ),
        (
            "Tell me a fun fact about {category}.",
            "People around the world enjoy {category} in many different ways.",
        ),
        (
            "Why is it colder in winter?",
            "Because the Earth's tilt makes sunlight reach us at a lower angle "
            "and for fewer hours.",
        ),
        (
            "My meeting with the {team} {day} is going to be long.",
            "Long meetings can be tiring; a short agenda and a break can help.",
        ),
        (
            "What should I pack for a trip to {city}?",
            "Comfortable shoes, layers for changing weather and a phone charger are a good start.",
        ),
        (
            "Who invented the calculator?",
            "Mechanical calculators go back to Pascal and Leibniz in the 17th century.",
        ),
        (
            "Write a short greeting for the {team}.",
            "Hello {team}, thank you all for your hard work!",
        ),
        ("Good night!", "Good night! Sleep well."),
        ("It's such a sunny day in {city}!", "Sunny days are the best. Enjoy {city}!"),
        (
            "The weather in {city} has been so nice this week.",
            "Lucky you! A week of good weather in {city} is a treat.",
        ),
    ],
    "zh": [
        ("{city}今天天气真好。", "是啊，{city}天气不错，好好享受吧！"),
        ("我喜欢坐飞机去{city}旅行。", "{city}是个好地方，祝你旅途愉快！"),
        ("日历有什么用？", "日历可以记录日程和会议，帮助你安排时间。"),
        ("谢谢你，和{team}的会开得很顺利！", "不客气，很高兴和{team}的会议顺利！"),
        ("消防演练很重要。", "是的，定期演练能让大家熟悉逃生路线。"),
        ("{category}有营养吗？", "{category}是很多人日常饮食的一部分，适量食用有益健康。"),
        ("你好！", "你好！有什么可以帮你的吗？"),
        ("{city}下雨天让人想睡觉。", "下雨天确实容易犯困，可以喝杯茶提提神。"),
        ("最近去{city}的机票好贵啊。", "机票价格确实有波动，提前预订通常会便宜一些。"),
        ("{city}有什么好吃的？", "{city}有很多有名的地方美食，值得慢慢品尝。"),
        ("{day}要和{team}开会，有点紧张。", "别紧张，提前准备好要点，会议一定会顺利的。"),
        ("为什么冬天会冷？", "因为冬天阳光照射的角度更低、时间更短，地面得到的热量更少。"),
        ("火灾报警器是怎么工作的？", "大多数报警器能感应烟雾或高温，然后发出响亮的警报。"),
        ("去{city}旅行要带什么？", "舒适的鞋子、应对天气变化的衣服和充电器都很有用。"),
        ("谢谢你的帮助！", "不客气，很高兴能帮到你！"),
        ("给{team}写一句问候语。", "{team}的各位，辛苦了，感谢大家的付出！"),
        (
            "{category}应该怎么保存？",
            "{category}的保存方法各不相同，一般放在阴凉处或冰箱里更新鲜。",
        ),
        ("晚安！", "晚安，祝你好梦！"),
        ("今天{city}阳光明媚，心情特别好。", "阳光明媚的日子真让人开心，在{city}好好享受吧！"),
        ("{city}的秋天天气最舒服了。", "是啊，秋高气爽，{city}的秋天很适合出门走走。"),
        ("这几天{city}热得受不了。", "天气炎热要注意防暑，多喝水，尽量避开中午出门。"),
        ("{city}今天的风好大啊。", "风大的时候出门注意安全，记得多穿件外套。"),
        ("我{day}要飞{city}了，好期待！", "祝你旅途顺利，在{city}玩得开心！"),
    ],
}


@dataclass
class Task:
    id: str
    intent: str
    kind: str  # single | multi | recovery | negative
    lang: str
    family: str  # intent/lang/template index: the unit of leakage-free splitting
    query: str
    slots: dict = field(default_factory=dict)
    tools: tuple[str, ...] = ()  # tools the gold solution calls (empty for negatives)
    answer: str = ""  # the reference reply of a hard negative


def _slots(intent: str, lang: str, rng: random.Random) -> dict:
    zh = lang == "zh"
    pick = lambda pairs: rng.choice(pairs)  # noqa: E731
    city, city2 = rng.sample(CITIES, 2)
    day = pick(DAYS)
    team = pick(TEAMS)
    product = pick(PRODUCTS)
    room = pick(ROOMS)
    slots = {
        "city_en": city[0],
        "city2_en": city2[0],
        "city": city[zh],
        "city2": city2[zh],
        "day_en": day[0],
        "day": day[zh],
        "team_en": team[0],
        "team": team[zh],
        "room": room[zh],
        "floor": rng.choice(FLOORS),
    }
    if intent == "product_recommend":
        cat = pick(CATEGORIES)
        slots.update(category=cat[zh], category_zh=cat[1])
    if intent in ("product_info", "product_marketing"):
        prop = rng.choice(list(product["properties"]))
        slots.update(sku=product["sku_code"], product=product["product_name"], prop=prop)
    if intent == "recipe":
        recipe = pick(RECIPES)
        slots.update(ingredient=rng.choice(recipe["ingredients"]))
    if intent in ("fire_check", "fire_emergency"):
        slots.update(image=rng.choice(sorted(FIRE_IMAGES)))
    if intent == "repo_commit":
        slots.update(repo=rng.choice(sorted(REPOSITORIES)))
    if intent == "web":
        page = pick(WEB_PAGES)
        slots.update(topic=page["title"])
    if intent == "calc":
        a, b, c = rng.randint(2, 999), rng.randint(2, 99), rng.randint(2, 9)
        slots.update(
            expr=rng.choice(
                [f"{a} + {b} * {c}", f"({a} - {b}) * {c}", f"{a} / {c}", f"{b} ** 2 - {c}"]
            )
        )
    if intent == "convert":
        frm, to = pick(UNITS)
        slots.update(value=rng.choice([1, 3, 10, 12.5, 42, 100, 250]), from_unit=frm, to_unit=to)
    if intent == "book_given_flight":
        slots.update(bad_flight=f"CA{rng.randint(1000, 9999)}")
    if intent == "meeting_at_busy_time":
        slots.update(busy_hour="")  # filled by the oracle's world knowledge (see oracle.solve)
    return slots


def make_task(
    intent: str,
    lang: str,
    family_index: int,
    rng: random.Random,
    task_id: str,
    pii_share: float = 0.0,
) -> Task:
    kind, tools, families = INTENTS[intent]
    template = families[lang][family_index]
    slots = _slots(intent, lang, rng)
    if intent == "meeting_at_busy_time":
        from agent_lab.world.tools import (
            World,
            resolve_date,
        )  # the busy hour is a fact of the (seed-0) calendar

        day = resolve_date(slots["day_en"])
        day = day if day.weekday() < 5 else resolve_date("next monday")
        slots["day_en"], slots["day"] = day.isoformat(), day.isoformat()
        start, _ = World().busy(day)[0]
        slots["busy_hour"] = f"{start:02d}:00"
    query = template.format(**slots)
    if pii_share and rng.random() < pii_share:
        query += rng.choice(PII).format(
            phone=f"1{rng.choice('3589')}{rng.randint(10**8, 10**9 - 1)}",
            email=f"user{rng.randint(10, 999)}@mail.example.org",
            idn=f"{rng.randint(10**16, 10**17 - 1)}X",
        )
    return Task(task_id, intent, kind, lang, f"{intent}/{lang}/{family_index}", query, slots, tools)


def negative_task(lang: str, index: int, rng: random.Random, task_id: str) -> Task:
    query_t, answer_t = HARD_NEGATIVES[lang][index]
    slots = _slots("no_tool", lang, rng)
    cat = rng.choice(CATEGORIES)
    slots["category"] = cat[lang == "zh"]
    return Task(
        task_id,
        "no_tool",
        "negative",
        lang,
        f"no_tool/{lang}/{index}",
        query_t.format(**slots),
        slots,
        (),
        answer_t.format(**slots),
    )


def generate_tasks(
    n_positive: int,
    ratio: tuple[int, int] = (4, 1),
    zh_share: float = 0.3,
    seed: int = 0,
    intents: list[str] | None = None,
    pii_share: float = 0.02,
) -> list[Task]:
    """`n_positive` tool tasks spread evenly over intents, plus hard negatives at exactly `ratio`.

    `n_positive` must be a multiple of `ratio[0]` so the built ratio is exact.
    """
    pos, neg = ratio
    if n_positive % pos:
        raise ValueError(
            f"n_positive={n_positive} must be a multiple of {pos} for an exact {pos}:{neg} ratio"
        )
    rng = random.Random(seed)
    intents = list(intents or INTENTS)
    tasks = []
    for i in range(n_positive):
        intent = intents[i % len(intents)]
        lang = "zh" if rng.random() < zh_share else "en"
        family = rng.randrange(len(INTENTS[intent][2][lang]))
        tasks.append(make_task(intent, lang, family, rng, f"t{seed}-{i:05d}", pii_share))
    for j in range(n_positive // pos * neg):
        lang = "zh" if rng.random() < zh_share else "en"
        tasks.append(
            negative_task(lang, rng.randrange(len(HARD_NEGATIVES[lang])), rng, f"n{seed}-{j:05d}")
        )
    rng.shuffle(tasks)
    return tasks

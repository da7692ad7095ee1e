"""The probe set that calibrates an embedding model's similarity scale.

Each topic has a short query and a passage, in Korean and in English (written for
RecordRoute, on topics kept apart from the search evaluation set).  A query and a
passage of the same topic, in either language, make a related pair; a query and a
passage of different topics make an unrelated pair.  Their cosine statistics give each
model its own relevance scale (:mod:`recordroute.search.relevance`).
"""

from __future__ import annotations

#: (English query, Korean query, English passage, Korean passage) per topic
TOPICS: tuple[tuple[str, str, str, str], ...] = (
    (
        "library book late fees",
        "도서관 연체료",
        "If you return a library book after the due date, you pay a small fine for each day.",
        "도서관 책을 반납 기한보다 늦게 돌려주면 하루마다 연체료를 내야 합니다.",
    ),
    (
        "fixing a flat bicycle tyre",
        "자전거 펑크 수리",
        "Take the inner tube out, find the hole in a bowl of water, and glue a patch over it.",
        "자전거 튜브를 빼서 물에 담가 구멍을 찾은 뒤 패치를 붙이면 됩니다.",
    ),
    (
        "roasting coffee beans",
        "커피 원두 로스팅",
        "Green coffee beans turn brown and crack when roasted at about two hundred degrees.",
        "생두를 이백 도 정도에서 볶으면 갈색으로 변하면서 팝 소리가 납니다.",
    ),
    (
        "passport renewal",
        "여권 재발급",
        "To renew your passport, bring a recent photo and your old passport to the city office.",
        "여권을 다시 발급받으려면 최근 사진과 기존 여권을 가지고 구청에 가면 됩니다.",
    ),
    (
        "earthquake evacuation drill",
        "지진 대피 훈련",
        "When the earthquake alarm rings, hide under your desk, then leave by the stairs.",
        "지진 경보가 울리면 책상 아래로 몸을 숨긴 뒤 계단을 이용해 건물 밖으로 나갑니다.",
    ),
    (
        "watercolour painting techniques",
        "수채화 그리는 법",
        "Wet the paper first and let the watercolour paint spread softly for the sky.",
        "하늘을 그릴 때는 종이에 물을 먼저 바르고 물감이 부드럽게 번지게 합니다.",
    ),
    (
        "train delayed by snow",
        "폭설로 열차 지연",
        "Heavy snow blocked the tracks, so the morning trains ran about an hour late.",
        "폭설로 선로가 막혀 아침 열차가 한 시간 가까이 늦게 운행되었습니다.",
    ),
    (
        "child's birthday party",
        "아이 생일 파티",
        "We ordered a chocolate cake and invited ten friends from her class to the party.",
        "초콜릿 케이크를 주문하고 같은 반 친구 열 명을 생일 파티에 초대했어요.",
    ),
    (
        "museum exhibition opening hours",
        "박물관 전시 관람 시간",
        "The new exhibition at the museum is open from ten to six, and closed on Mondays.",
        "박물관의 새 전시는 오전 열 시부터 오후 여섯 시까지 열고 월요일은 휴관입니다.",
    ),
    (
        "flu vaccination",
        "독감 예방접종",
        "Older adults should get a flu shot every autumn before the winter season starts.",
        "어르신들은 겨울이 오기 전에 매년 가을 독감 예방주사를 맞는 것이 좋습니다.",
    ),
    (
        "swimming lessons for kids",
        "어린이 수영 강습",
        "In the first swimming lesson the children learn to float and kick with a board.",
        "첫 수영 수업에서 아이들은 킥판을 잡고 물에 뜨는 법과 발차기를 배웁니다.",
    ),
    (
        "pitching a tent when camping",
        "캠핑 텐트 치기",
        "Choose flat ground for the tent, stake the corners, and tighten the guy lines.",
        "텐트는 평평한 곳에 치고 모서리에 팩을 박은 다음 줄을 팽팽하게 당깁니다.",
    ),
    (
        "printer paper jam",
        "프린터 용지 걸림",
        "Open the back cover of the printer and pull the jammed paper out slowly.",
        "프린터 뒷면 덮개를 열고 걸린 종이를 천천히 잡아당겨 빼내세요.",
    ),
    (
        "lost wallet on the bus",
        "버스에서 지갑 분실",
        "I left my wallet on the bus, so I called the lost and found office of the bus company.",
        "버스에 지갑을 두고 내려서 버스 회사 분실물 센터에 전화했습니다.",
    ),
    (
        "resigning from a job",
        "회사 퇴사 절차",
        "Tell your manager a month before you leave and hand over your work to a colleague.",
        "퇴사하기 한 달 전에 팀장에게 알리고 맡은 업무를 동료에게 인수인계합니다.",
    ),
    (
        "taxi fare at night",
        "심야 택시 요금",
        "After midnight the taxi fare goes up by twenty percent.",
        "자정이 넘으면 택시 기본요금이 이십 퍼센트 할증됩니다.",
    ),
    (
        "caring for houseplants",
        "실내 화분 관리",
        "Most houseplants need bright indirect light and water only when the soil is dry.",
        "대부분의 실내 식물은 밝은 간접광을 좋아하고 흙이 마르면 물을 주면 됩니다.",
    ),
    (
        "learning to drive a car",
        "운전면허 연수",
        "During the driving lesson the instructor showed me how to park between two cars.",
        "운전 연수 시간에 강사님이 차 두 대 사이에 주차하는 방법을 알려 주셨어요.",
    ),
    (
        "recipe for pancakes",
        "팬케이크 만드는 법",
        "Whisk flour, milk and eggs into a smooth batter and fry small rounds in butter.",
        "밀가루와 우유, 달걀을 섞어 반죽을 만들고 버터를 두른 팬에 동그랗게 굽습니다.",
    ),
    (
        "the moon's phases",
        "달의 모양 변화",
        "The moon seems to change shape because we see different parts of its sunlit side.",
        "달의 모양이 바뀌어 보이는 것은 햇빛을 받는 면을 보는 각도가 달라지기 때문입니다.",
    ),
    (
        "rainy season flooding",
        "장마철 침수 피해",
        "Days of heavy rain flooded the underground parking lots in the low-lying district.",
        "며칠 동안 내린 장맛비로 저지대 지하 주차장이 물에 잠겼습니다.",
    ),
    (
        "volunteering at an animal shelter",
        "유기견 보호소 봉사",
        "On Saturdays I volunteer at the dog shelter, walking the dogs and cleaning the kennels.",
        "토요일마다 유기견 보호소에서 강아지 산책을 시키고 견사를 청소하는 봉사를 합니다.",
    ),
    (
        "choosing a mattress",
        "매트리스 고르는 법",
        "A mattress should keep your spine straight; lie on it for ten minutes in the shop.",
        "매트리스는 허리가 곧게 펴지는지 매장에서 십 분 정도 누워 보고 고르세요.",
    ),
    (
        "watching migratory birds in winter",
        "겨울 철새 관찰",
        "In winter thousands of wild geese and swans rest on the river, best seen at dawn.",
        "겨울이면 수천 마리의 기러기와 고니가 강에서 쉬어 가는데 새벽에 보기 좋습니다.",
    ),
)


def probe_texts() -> tuple[list[str], list[str], list[int], list[int]]:
    """``(queries, passages, query topics, passage topics)`` in a fixed order."""
    queries: list[str] = []
    passages: list[str] = []
    query_topics: list[int] = []
    passage_topics: list[int] = []
    for topic, (en_query, ko_query, en_passage, ko_passage) in enumerate(TOPICS):
        queries += [en_query, ko_query]
        passages += [en_passage, ko_passage]
        query_topics += [topic, topic]
        passage_topics += [topic, topic]
    return queries, passages, query_topics, passage_topics

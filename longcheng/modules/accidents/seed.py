"""The first version of the rules as data, loaded by the data migration 0002. Later changes are new
rows with the next version (edited by those holding accidents.rules), never edits of these."""

from __future__ import annotations

from typing import Any

# (code, basis, question in Chinese, in English): any "yes" ends quick handling.
EXCLUSIONS = [
    ("injury", "mps146", "是否有人受伤或死亡？", "Is anyone injured or dead?"),
    ("no_licence", "mps146", "是否有驾驶人无有效驾驶证，或驾驶车辆与准驾车型不符？",
     "Has a driver no valid licence, or drives a vehicle outside its class?"),
    ("drink_drugs", "mps146", "是否有驾驶人有饮酒、服用国家管制的精神药品或麻醉药品嫌疑？",
     "Is a driver suspected of drink, or of drugs under state control?"),
    ("bus_overload", "mps146", "是否有校车、客运车辆严重超员或超速？",
     "Is a school bus or passenger vehicle seriously overloaded or speeding?"),
    ("bad_plate", "mps146", "是否有车辆无号牌，或使用伪造、变造的号牌？",
     "Has a vehicle no plate, or a false or altered plate?"),
    ("immovable", "mps146", "是否有车辆无法自行移动？", "Is there a vehicle that cannot be moved?"),
    ("party_left", "mps146", "是否有一方当事人已离开现场？", "Has a party left the scene?"),
    ("intentional", "mps146", "是否有证据表明事故系故意造成？", "Is there evidence the collision was intentional?"),
    ("no_inspection", "local", "是否有车辆无检验合格标志？", "Has a vehicle no inspection mark?"),
    ("dangerous_goods", "local", "是否有车辆载运危险物品？", "Does a vehicle carry dangerous goods?"),
    ("facilities", "local", "是否碰撞了建筑物或公共设施？", "Did the collision hit a building or public facilities?"),
    ("no_photo", "local", "现场是否无法拍照取证？", "Is it impossible to photograph the scene?"),
    ("crime", "local", "是否涉嫌犯罪？", "Is a crime suspected?"),
]

# (code, situation in Chinese, in English, the liability of the party it applies to).
LIABILITY_RULES = [
    ("rear_end", "追尾前车", "Ran into the vehicle ahead", "full"),
    ("lane_change", "变更车道时未让正常行驶的车辆先行", "Changed lanes without giving way", "full"),
    ("reversing", "倒车", "Was reversing", "full"),
    ("u_turn", "掉头时未让正常行驶的车辆先行", "Made a U-turn without giving way", "full"),
    ("signal", "违反交通信号灯通行", "Ran a traffic signal", "full"),
    ("wrong_way", "逆向行驶", "Drove against the traffic", "full"),
    ("turn_no_yield", "转弯时未让直行车辆先行", "Turned without giving way to traffic going straight", "full"),
    ("right_priority", "无信号路口未让右方来车先行", "Did not give way to the right at an unsignalled junction",
     "full"),
    ("pull_out", "起步或驶出停车位时未让行", "Pulled out or left a parking space without giving way", "full"),
    ("door", "开关车门妨碍其他车辆", "Opened a door into traffic", "full"),
    ("both_lane_change", "双方同时变更车道", "Both changed lanes at the same time", "equal"),
    ("both_reversing", "双方同时倒车", "Both were reversing", "equal"),
    ("hit_while_lawful", "依法停车或正常行驶中被撞", "Was stopped lawfully or driving normally when hit", "none"),
]


def load_first_version(exclusion: Any, liability_rule: Any) -> None:
    """The rules' first version as rows (idempotent). Called by migration 0002 with its historical
    models, and by the tests after a browser test's transactional flush has emptied the tables."""
    for order, (code, basis, zh, en) in enumerate(EXCLUSIONS):
        exclusion.objects.get_or_create(code=code, version=1, defaults={
            "basis": basis, "question_zh": zh, "question_en": en, "order": order})
    for order, (code, zh, en, outcome) in enumerate(LIABILITY_RULES):
        liability_rule.objects.get_or_create(code=code, version=1, defaults={
            "situation_zh": zh, "situation_en": en, "outcome": outcome, "order": order})

from diancang import jurisdictions
from diancang.jurisdictions import (
    Jurisdiction,
    city_of,
    full_name,
    is_valid,
    lookup,
    province_of,
)


def test_municipalities_and_provinces_are_present():
    assert lookup("500000") == Jurisdiction("500000", "重庆市", "province", None)
    assert lookup("110000") == Jurisdiction("110000", "北京市", "province", None)
    assert lookup("230000") == Jurisdiction("230000", "黑龙江省", "province", None)


def test_county_of_a_province_has_its_city_and_province():
    county = lookup("130102")
    assert county is not None and (county.name, county.level) == ("长安区", "county")
    assert city_of("130102") == lookup("130100")
    assert city_of("130102").name == "石家庄市"
    assert province_of("130102").name == "河北省"
    assert full_name("130102") == "河北省石家庄市长安区"


def test_district_of_a_municipality():
    assert lookup("500103").name == "渝中区"
    assert province_of("500103").code == "500000"
    assert city_of("500103") == Jurisdiction("500100", "市辖区", "city", "500000")
    assert full_name("500103") == "重庆市渝中区"
    assert full_name("500229") == "重庆市城口县"


def test_county_level_city_governed_by_the_province():
    assert lookup("429004").name == "仙桃市"
    assert province_of("429004").name == "湖北省"
    assert full_name("429004") == "湖北省仙桃市"


def test_city_of_a_city_is_itself_and_of_a_province_none():
    assert city_of("500100").code == "500100"
    assert city_of("441900").name == "东莞市"
    assert city_of("500000") is None
    assert province_of("500000").code == "500000"


def test_unknown_codes():
    for code in ("999999", "50000", "5000000", "", "abcdef"):
        assert not is_valid(code)
        assert lookup(code) is None
        assert province_of(code) is None and city_of(code) is None
    # statistics-only development-zone codes are not GB/T 2260 divisions
    assert not is_valid("130171")
    assert is_valid("500000") and is_valid(" 500103 ")


def test_table_is_consistent():
    table = jurisdictions._table()
    levels = {"province": 0, "city": 0, "county": 0}
    for j in table.values():
        levels[j.level] += 1
        assert len(j.code) == 6 and j.code.isdigit()
        if j.level == "province":
            assert j.parent is None and j.code.endswith("0000")
        else:
            parent = table[j.parent]
            expected = "province" if j.level == "city" else "city"
            assert parent.level == expected, j
            assert j.code.startswith(j.parent.rstrip("0")[:2])
    assert levels["province"] == 34
    assert levels["city"] > 330 and levels["county"] > 2800

"""The yearly scores typed by hand (OrganisationAssessment) become published assessment versions.

Per year and kind of assessee, one indicator set of the district union with one manual indicator
(原考评得分, weight 100) and a published version 1 whose results are the typed scores and pass marks,
so the programmes read the same figures as before; each typed score is kept as the manual score of
the person who entered it. Nothing is dropped: the old table is removed by the next migration only
after its rows are copied here.
"""

from decimal import Decimal

from django.db import migrations

JOINT = {"village_joint", "community_joint"}
SUB_FEDERATION = {"town", "street", "zone", "sector"}


def _kind(org_kind: str) -> str:
    if org_kind in JOINT:
        return "joint"
    if org_kind in SUB_FEDERATION:
        return "sub_federation"
    return "grassroots"


def forward(apps, schema_editor):
    Old = apps.get_model("assessment", "OrganisationAssessment")
    Organisation = apps.get_model("orgs", "Organisation")
    IndicatorSet = apps.get_model("assessment", "IndicatorSet")
    Indicator = apps.get_model("assessment", "Indicator")
    Assessment = apps.get_model("assessment", "Assessment")
    AssessmentResult = apps.get_model("assessment", "AssessmentResult")
    ManualScore = apps.get_model("assessment", "ManualScore")
    AssessmentEvent = apps.get_model("assessment", "AssessmentEvent")
    groups: dict[tuple[int, str], list] = {}
    for row in Old.objects.select_related("organisation").order_by("year", "organisation__path"):
        groups.setdefault((row.year, _kind(row.organisation.kind)), []).append(row)
    for (year, kind), rows in groups.items():
        root = Organisation.objects.filter(depth=1, path=rows[0].organisation.path[:4]).first()
        indicator_set = IndicatorSet.objects.create(
            organisation=root,
            year=year,
            assessee_kind=kind,
            name=f"{year} 年考评（由原手工录入结果迁移）",
            manual_rule="mean",
            pass_score=Decimal("0"),
            grade_bands=[{"min_score": "0", "grade": "已录入"}],
        )
        indicator = Indicator.objects.create(
            indicator_set=indicator_set, position=1, source="manual", label="原考评得分", weight=Decimal("100")
        )
        version = Assessment.objects.create(
            indicator_set=indicator_set,
            version=1,
            state="published",
            period_start=f"{year}-01-01",
            period_end=f"{year}-12-31",
            indicators=[
                {
                    "position": 1,
                    "source": "manual",
                    "key": "",
                    "label": "原考评得分",
                    "unit": "分",
                    "description": "迁移前由上级手工录入的年度考评得分与是否通过",
                    "weight": "100",
                    "score_min": "0",
                    "score_max": "100",
                    "floor": None,
                    "target": None,
                }
            ],
            assessees=len(rows),
            note="由原手工录入的考评结果迁移",
            computed_by_id=rows[0].assessed_by_id,
            published_by_id=rows[0].assessed_by_id,
            published_at=rows[0].assessed_at,
        )
        ordered = sorted((r.score for r in rows), reverse=True)
        for row in rows:
            score_ids = []
            if row.assessed_by_id is not None:
                indicator_set.reviewers.add(row.assessed_by_id)
                score_ids.append(
                    ManualScore.objects.create(
                        indicator=indicator,
                        organisation_id=row.organisation_id,
                        reviewer_id=row.assessed_by_id,
                        score=row.score,
                        evidence="原手工录入的考评得分（迁移）",
                    ).pk
                )
            AssessmentResult.objects.create(
                assessment=version,
                organisation_id=row.organisation_id,
                total=row.score,
                rank=ordered.index(row.score) + 1,
                grade="通过" if row.passed else "未通过",
                passed=row.passed,
                lines={
                    "1": {
                        "value": str(row.score),
                        "score": str(row.score),
                        "points": str(row.score),
                        "rows": score_ids,
                        "note": "原手工录入：" + ("考评通过" if row.passed else "考评未通过"),
                    }
                },
            )
        AssessmentEvent.objects.create(
            assessment=version, kind="migrate", summary=f"由原考评记录迁移 {len(rows)} 条并发布"
        )


class Migration(migrations.Migration):
    dependencies = [("assessment", "0002_indicator_sets_versions_results")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

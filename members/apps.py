from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "会员"

    def ready(self) -> None:
        from accounts.history import register_history_model
        from members import selectors
        from orgs.registry import SubtreeCounter, register_close_guard, register_subtree_counter
        from orgs.roles import Perm

        def refuse_close_with_members(organisation) -> str | None:
            n = selectors.active_member_count(organisation, subtree=True)
            if n:
                return f"该组织及其下级还有 {n} 名在册会员，请先办理转会或退会"
            return None

        register_close_guard(refuse_close_with_members)
        register_subtree_counter(
            SubtreeCounter(
                "member_count", "会员", Perm.MEMBER_VIEW, selectors.active_memberships, list_url="members:list"
            )
        )
        register_history_model("person", "会员人员", "members.Person")
        register_history_model("membership", "会籍", "members.Membership")
        register_history_model("honour", "会员荣誉", "members.Honour")

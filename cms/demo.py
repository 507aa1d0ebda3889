"""Demo content of the public portal: the site and its home page."""

from wagtail.models import Page, Site

from .models import HomePage


def home_page_ensure() -> HomePage:
    """The one HomePage, created under the tree root and made the default site's root."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        # Wagtail's placeholder "Welcome to your new Wagtail site!" page holds the slug.
        for placeholder in root.get_children().filter(slug="home"):
            if placeholder.specific_class is Page:
                Site.objects.filter(root_page=placeholder).update(root_page=root)
                placeholder.delete()
        home = HomePage(
            title="上海家政服务培训与认证平台",
            slug="home",
            hero_title="学技能，考证书，安心上门",
            hero_text=(
                "<p>上海市家政服务人员在线培训、考试与上门服务证查验平台。"
                "家政服务员在手机上学习课程、参加考试、领取电子证书；"
                "家庭扫码即可查验服务人员的证书和信用。</p>"
            ),
        )
        root.add_child(instance=home)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="上海家政",
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = "上海家政"
        site.save()
    return home


def seed(ctx) -> None:
    ctx.data["home_page"] = home_page_ensure()

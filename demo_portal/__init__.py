"""The bundled demo portal: a realistic regional government site served on loopback.

* :mod:`diancang.demo_portal.server` -- :class:`DemoPortal`, 重庆市人民政府 (500000) style site
  with a separate attachment host, used by ``make demo`` and the end-to-end tests.

The hostile servers, generated benchmark site and other test sites live in ``tests/sites``:
they are not shipped.

Main-site paths of :class:`DemoPortal`:

    /                                home (CSS, logo srcset, banner srcset, iframe, script, icon)
    /robots.txt                      Disallow: /private/
    /css/style.css                   url(../images/bg.png)
    /js/site.js /js/dynamic.js       scripts
    /images/*.png /favicon.ico       images
    /frame/notice.html               the iframe
    /xxgk/index.html, index_1..3     政府信息公开 listing, 4 pages, div.viewList li span.date
    /xxgk/YYYY/MM/tYYYYMMDD_ID.html  24 detail pages (ids 1001-1024)
    /zwgk/zcwj/index.html            政策文件: re-publications 2001-2003
    /zwgk/zcwj/YYYY/MM/t..._ID.html  the re-publications (same 索引号 as 1001, 1007, 1013)
    /xxgk/dynamic.html               script-built list; JSON at /xxgk/api/list.json?page=N
    /old/notice.html                 301 -> /xxgk/2024/03/t20240305_1001.html
    /xxgk/2023/11/t20231130_0999.html  404
    /private/index.html, /private/drafts/2024-02.html   disallowed by robots.txt
    /calendar/?month=YYYY-MM         calendar trap (only 2024-03 is expected)
    /service.html (;jsessionid=... / ?sid=...)   one page under session-id URLs
    /xxgk/tpxw/2024/03/t20240318_3001.html   图片新闻 page, linked from nowhere; its photo
    /images/photos/2024/03/t20240318_3001_01.png  closes the connection until published
                                     (DemoPortal.publish_photo): for patch crawls
"""

from diancang.demo_portal.server import DemoPortal

__all__ = ["DemoPortal"]
